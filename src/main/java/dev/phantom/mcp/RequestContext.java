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

  /** The session id; empty on the 2026-07-28 wire, which has no sessions (see {@link #hasSession()}). */
  String sessionId();

  /** Whether the request belongs to a 2025-11-25 session (false on the stateless 2026-07-28 wire). */
  default boolean hasSession() {
    return !sessionId().isEmpty();
  }

  /** The principal the connect hook returned, if any. */
  Optional<String> principal();

  /** The client's {@code clientInfo}: from {@code initialize}, or from this request's {@code _meta} on the 2026-07-28 wire. */
  ObjectNode clientInfo();

  /** The client's capabilities: from {@code initialize}, or declared by this very request on the 2026-07-28 wire. */
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

  /**
   * The client's answers to this request's {@link InputRequired} questions so far, every round
   * included, by key; empty on the first call. An answer is the client's result as JSON: {@code
   * {"action":"accept","content":{...}}} for an elicitation, a {@code CreateMessageResult} for
   * sampling, {@code {"roots":[...]}} for roots. Keys the handler did not ask for are not here.
   */
  default java.util.Map<String, JsonNode> inputResponses() {
    return java.util.Map.of();
  }

  /** The answer under {@code key}, if the client gave one. */
  default Optional<JsonNode> inputResponse(String key) {
    return Optional.ofNullable(inputResponses().get(key));
  }

  /** The answer under {@code key} read as an elicitation result (accept, decline or cancel), if given. */
  default Optional<ElicitResult> elicitation(String key) {
    return inputResponse(key).map(ElicitResult::fromJson);
  }

  /** The state the handler attached with {@link InputRequired#withState(String)} in the previous round. */
  default Optional<String> requestState() {
    return Optional.empty();
  }

  /**
   * Asks the user through the client with a form ({@code elicitation/create}, mode form), on a
   * 2025-11-25 session only: the 2026-07-28 wire has no server-to-client requests, so there the stage
   * fails; a handler written for both eras asks with {@link InputRequired} instead.
   */
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
