package dev.phantom.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * What a handler can do while it serves one client request. Thread-safe: call it from any thread.
 * Messages it sends go on the request's own stream (they relate to the request), in call order.
 *
 * <pre>{@code
 * (args, ctx) -> {
 *   ctx.log(LogLevel.INFO, "starting");
 *   ctx.progress(0, 2, "asking");
 *   return ctx.elicitForm("Your name?", schema)
 *       .thenApply(r -> r.accepted() ? ToolResult.text("Hi " + r.content().path("name").asText())
 *                                    : ToolResult.text("no answer: " + r.action()));
 * }
 * }</pre>
 */
public interface RequestContext {

  /** The session id. */
  String sessionId();

  /** The principal the connect hook returned, if any. */
  Optional<String> principal();

  /** The client's {@code clientInfo} from {@code initialize}. */
  ObjectNode clientInfo();

  /** The client's capabilities from {@code initialize}. */
  ObjectNode clientCapabilities();

  /** The negotiated protocol version. */
  String protocolVersion();

  /** Sends {@code notifications/message} if {@code level} is at or above the session's log level. */
  void log(LogLevel level, JsonNode data);

  /** {@link #log(LogLevel, JsonNode)} with a text message. */
  default void log(LogLevel level, String message) {
    log(level, com.fasterxml.jackson.databind.node.TextNode.valueOf(message));
  }

  /** Sends {@code notifications/progress} if the request carried a progress token; otherwise nothing. */
  void progress(double progress, Double total, String message);

  /** Asks the user through the client with a form ({@code elicitation/create}, mode form). */
  CompletionStage<ElicitResult> elicitForm(String message, ObjectNode requestedSchema);

  /** Asks the user to visit a URL ({@code elicitation/create}, mode url). */
  CompletionStage<ElicitResult> elicitUrl(UrlElicitation elicitation);

  /** Asks the client's model for a completion ({@code sampling/createMessage}). */
  CompletionStage<ClientResponse> createMessage(ObjectNode params);

  /** Pings the client. */
  CompletionStage<ClientResponse> ping();

  /** Whether the client cancelled this request ({@code notifications/cancelled}) or the session ended. */
  boolean isCancelled();

  /** Runs {@code action} once when the request is cancelled (at once if it already is). */
  void onCancel(Runnable action);

  /**
   * Closes the current HTTP connection of this request's stream without ending the stream (SSE
   * polling): the client reconnects with GET and {@code Last-Event-ID} and receives what follows.
   */
  void closeConnection();
}
