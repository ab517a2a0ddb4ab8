package dev.phantom.session;

import akka.actor.typed.ActorRef;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.phantom.mcp.ClientResponse;
import dev.phantom.mcp.Json;
import dev.phantom.mcp.McpError;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The server-to-client requests (elicitation, sampling) of one client request that wait for the
 * client's answers. Each id is registered in the node's {@link PendingAnswers} before its request is
 * written, so the answer cannot arrive first and may be POSTed to any node; it is forgotten there when
 * answered, timed out, or when the client request ends (its waiter then gets a timeout). Lives inside
 * its {@link RequestActor}, which keeps the timers: not thread-safe.
 */
final class ServerRequests {
  private final Map<String, CompletableFuture<ClientResponse>> waiting = new HashMap<>();
  private final PendingAnswers answers;
  private final int limit;

  ServerRequests(PendingAnswers answers, int maxPendingPerSession) {
    this.answers = answers;
    this.limit = maxPendingPerSession;
  }

  /** Whether the client declared ({@code capabilities} of its initialize) what a request needs. */
  static boolean declared(ObjectNode capabilities, RequestActor.Capability needed) {
    JsonNode elicitation = capabilities.get("elicitation");
    return switch (needed) {
      case NONE -> true;
      case SAMPLING -> capabilities.has("sampling");
      // An empty elicitation object means form mode only.
      case ELICITATION_FORM -> elicitation != null && (elicitation.isEmpty() || elicitation.has("form"));
      case ELICITATION_URL -> elicitation != null && elicitation.has("url");
    };
  }

  /**
   * Waits for the answer to {@code id} with {@code reply}; false (and {@code reply} completed with an
   * error) when the session already has {@code limit} server requests waiting on this node.
   */
  boolean await(String id, SessionInfo info, ActorRef<RequestActor.Command> request, CompletableFuture<ClientResponse> reply) {
    if (!answers.await(id, info.sessionId(), info.principal(), request, limit)) {
      reply.complete(ClientResponse.ofError(Json.object().put("code", McpError.SERVER_ERROR)
          .put("message", "Too many server requests awaiting answers in this session (limit " + limit + ")")));
      return false;
    }
    waiting.put(id, reply);
    return true;
  }

  /** The client answered {@code id} (PendingAnswers has already let it go). */
  void answered(String id, JsonNode result, ObjectNode error) {
    CompletableFuture<ClientResponse> waiter = waiting.remove(id);
    if (waiter != null) {
      waiter.complete(error != null ? ClientResponse.ofError(error) : ClientResponse.ofResult(result == null ? Json.object() : result));
    }
  }

  /** No answer to {@code id} in time. */
  void timedOut(String id) {
    CompletableFuture<ClientResponse> waiter = waiting.remove(id);
    answers.forget(id);
    if (waiter != null) waiter.complete(ClientResponse.timeout());
  }

  /** The client request ended: every waiter gets a timeout. Returns the ids that were waiting. */
  List<String> endAll() {
    List<String> ids = List.copyOf(waiting.keySet());
    for (String id : ids) timedOut(id);
    return ids;
  }
}
