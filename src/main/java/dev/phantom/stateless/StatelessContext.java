package dev.phantom.stateless;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.phantom.mcp.ClientResponse;
import dev.phantom.mcp.ElicitResult;
import dev.phantom.mcp.JsonRpc;
import dev.phantom.mcp.LogLevel;
import dev.phantom.mcp.McpError;
import dev.phantom.mcp.RequestContext;
import dev.phantom.mcp.UrlElicitation;
import dev.phantom.util.Cancellation;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

/**
 * The handler's view of one 2026-07-28 request: what its {@code _meta} declared (capabilities, client
 * info, log level, progress token), the principal the connect hook returned, and a way to write
 * progress and log notifications on the request's own response stream. There are no server-to-client
 * requests in this revision: {@link #elicitForm}, {@link #elicitUrl}, {@link #createMessage} and
 * {@link #ping} fail; a handler asks with {@link dev.phantom.mcp.InputRequired} instead.
 */
public final class StatelessContext implements RequestContext {
  private final Envelope envelope;
  private final String principal;
  private final Consumer<JsonNode> stream;
  private final Cancellation cancellation = new Cancellation();

  /** {@code stream} writes one notification on the request's response (thread-safe). */
  StatelessContext(Envelope envelope, String principal, Consumer<JsonNode> stream) {
    this.envelope = envelope;
    this.principal = principal;
    this.stream = stream;
  }

  void cancel() {
    cancellation.cancel();
  }

  public String sessionId() {
    return "";
  }

  public Optional<String> principal() {
    return Optional.ofNullable(principal);
  }

  public ObjectNode clientInfo() {
    return envelope.clientInfo().deepCopy();
  }

  public ObjectNode clientCapabilities() {
    return envelope.clientCapabilities().deepCopy();
  }

  public String protocolVersion() {
    return envelope.protocolVersion();
  }

  /** Written only when the request's {@code _meta} carries a log level and {@code level} is at or above it. */
  public void log(LogLevel level, JsonNode data) {
    Optional<LogLevel> threshold = envelope.logLevel();
    if (cancellation.isCancelled() || threshold.isEmpty() || level.compareTo(threshold.get()) < 0) return;
    stream.accept(JsonRpc.logMessage(level, data));
  }

  public void progress(double progress, Double total, String message) {
    if (cancellation.isCancelled() || envelope.progressToken() == null) return;
    stream.accept(JsonRpc.progress(envelope.progressToken(), progress, total, message));
  }

  public CompletionStage<ElicitResult> elicitForm(String message, ObjectNode requestedSchema) {
    return noServerRequests("elicitation/create");
  }

  public CompletionStage<ElicitResult> elicitUrl(UrlElicitation elicitation) {
    return noServerRequests("elicitation/create");
  }

  public CompletionStage<ClientResponse> createMessage(ObjectNode params) {
    return noServerRequests("sampling/createMessage");
  }

  public CompletionStage<ClientResponse> ping() {
    return noServerRequests("ping");
  }

  public boolean isCancelled() {
    return cancellation.isCancelled();
  }

  public void onCancel(Runnable action) {
    cancellation.onCancel(action);
  }

  /** Nothing to do: this revision has no stream resumption, so a closed connection is a cancellation. */
  public void closeConnection() {}

  private static <T> CompletionStage<T> noServerRequests(String method) {
    return CompletableFuture.failedFuture(new McpError(McpError.INTERNAL_ERROR, "The handler sent " + method
        + " to the client, which MCP 2026-07-28 does not allow; ask with InputRequired instead"));
  }
}
