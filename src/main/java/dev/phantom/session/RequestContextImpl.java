package dev.phantom.session;

import akka.actor.typed.ActorRef;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.phantom.mcp.ClientResponse;
import dev.phantom.mcp.ElicitResult;
import dev.phantom.mcp.Json;
import dev.phantom.mcp.McpError;
import dev.phantom.util.Cancellation;
import dev.phantom.mcp.LogLevel;
import dev.phantom.mcp.RequestContext;
import dev.phantom.mcp.UrlElicitation;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** The handler's view of its request: every call becomes a message to the request's actor. */
final class RequestContextImpl implements RequestContext {
  private final akka.actor.typed.ActorSystem<?> system;
  private final ActorRef<RequestActor.Command> request;
  private final SessionInfo info;
  private final JsonNode progressToken;
  private final Cancellation cancellation = new Cancellation();

  RequestContextImpl(akka.actor.typed.ActorSystem<?> system, ActorRef<RequestActor.Command> request, SessionInfo info,
      JsonNode progressToken) {
    this.system = system;
    this.request = request;
    this.info = info;
    this.progressToken = progressToken;
  }

  JsonNode progressToken() {
    return progressToken;
  }

  void cancel() {
    cancellation.cancel();
  }

  public String sessionId() {
    return info.sessionId();
  }

  public Optional<String> principal() {
    return Optional.ofNullable(info.principal());
  }

  public ObjectNode clientInfo() {
    return info.clientInfo().deepCopy();
  }

  public ObjectNode clientCapabilities() {
    return info.clientCapabilities().deepCopy();
  }

  public String protocolVersion() {
    return info.protocolVersion();
  }

  public void log(LogLevel level, JsonNode data) {
    request.tell(new RequestActor.Log(level, data));
  }

  public void progress(double progress, Double total, String message) {
    request.tell(new RequestActor.Progress(progress, total, message));
  }

  public CompletionStage<ElicitResult> elicitForm(String message, ObjectNode requestedSchema) {
    ObjectNode params = Json.object().put("mode", "form").put("message", message);
    params.set("requestedSchema", requestedSchema);
    return outbound("elicitation/create", params, RequestActor.Capability.ELICITATION_FORM).thenApply(RequestContextImpl::toElicit);
  }

  public CompletionStage<ElicitResult> elicitUrl(UrlElicitation elicitation) {
    request.tell(new RequestActor.TrackElicitation(elicitation.elicitationId()));
    return outbound("elicitation/create", elicitation.toJson(), RequestActor.Capability.ELICITATION_URL)
        .thenApply(RequestContextImpl::toElicit);
  }

  public CompletionStage<ClientResponse> createMessage(ObjectNode params) {
    return outbound("sampling/createMessage", params, RequestActor.Capability.SAMPLING);
  }

  public CompletionStage<ClientResponse> ping() {
    return outbound("ping", null, RequestActor.Capability.NONE);
  }

  public boolean isCancelled() {
    return cancellation.isCancelled();
  }

  public void onCancel(Runnable action) {
    cancellation.onCancel(action);
  }

  public void closeConnection() {
    request.tell(RequestActor.CloseConnection.INSTANCE);
  }

  /**
   * Sends one {@link dev.phantom.mcp.InputRequest} to the client as a real request (the 2025-11-25
   * side of {@link dev.phantom.mcp.InputRounds}); completes with the client's result, or fails with an
   * {@link McpError} when the client answered with an error or not in time. A URL elicitation gets a
   * fresh {@code elicitationId}, tracked like {@link #elicitUrl}'s.
   */
  CompletionStage<JsonNode> answer(dev.phantom.mcp.InputRequest input) {
    ObjectNode params = input.params().deepCopy();
    if (input.method().equals("elicitation/create") && params.path("mode").asText().equals("url") && !params.has("elicitationId")) {
      String elicitationId = dev.phantom.tracker.Tracker.get(system).mintId();
      params.put("elicitationId", elicitationId);
      request.tell(new RequestActor.TrackElicitation(elicitationId));
    }
    return outbound(input.method(), params, RequestActor.Capability.NONE).thenApply(r -> {
      if (r.ok()) return r.result();
      if (r.error() != null) {
        throw new McpError(McpError.INVALID_PARAMS, "The client refused " + input.method() + ": " + r.error().path("message").asText(""));
      }
      throw new McpError(McpError.INTERNAL_ERROR, "The client did not answer " + input.method() + " in time");
    });
  }

  private CompletionStage<ClientResponse> outbound(String method, ObjectNode params, RequestActor.Capability needs) {
    CompletableFuture<ClientResponse> reply = new CompletableFuture<>();
    if (cancellation.isCancelled()) {
      reply.complete(ClientResponse.timeout());
      return reply;
    }
    request.tell(new RequestActor.Outbound(method, params, needs, reply));
    return reply;
  }

  private static ElicitResult toElicit(ClientResponse r) {
    if (r.unsupported()) return new ElicitResult(ElicitResult.Action.NOT_SUPPORTED, null, null);
    if (r.timedOut()) return new ElicitResult(ElicitResult.Action.TIMEOUT, null, null);
    if (r.error() != null) return new ElicitResult(ElicitResult.Action.ERROR, null, r.error());
    return ElicitResult.fromJson(r.result());
  }
}
