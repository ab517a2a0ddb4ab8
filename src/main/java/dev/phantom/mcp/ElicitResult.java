package dev.phantom.mcp;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * What came of an elicitation: the client's {@code accept} (with content for form mode), {@code
 * decline} or {@code cancel}; or, without an answer, {@link Action#NOT_SUPPORTED} (the client did not
 * declare that mode), {@link Action#TIMEOUT}, or {@link Action#ERROR} (the client answered with a
 * JSON-RPC error, in {@code error}).
 *
 * <pre>{@code
 * ctx.elicitation("user_name").filter(ElicitResult::accepted).map(r -> r.content().path("name").asText())
 * }</pre>
 */
public record ElicitResult(Action action, ObjectNode content, ObjectNode error) {
  public enum Action {
    ACCEPT, DECLINE, CANCEL, NOT_SUPPORTED, TIMEOUT, ERROR
  }

  public boolean accepted() {
    return action == Action.ACCEPT;
  }

  /**
   * Reads a client's {@code ElicitResult} JSON; anything else (not an object, an unknown action) is
   * {@link Action#ERROR} with an explanation in {@code error}.
   */
  public static ElicitResult fromJson(com.fasterxml.jackson.databind.JsonNode json) {
    String action = json != null && json.isObject() ? json.path("action").asText("") : "";
    Action a = switch (action) {
      case "accept" -> Action.ACCEPT;
      case "decline" -> Action.DECLINE;
      case "cancel" -> Action.CANCEL;
      default -> Action.ERROR;
    };
    ObjectNode error = a == Action.ERROR
        ? Json.object().put("code", McpError.INVALID_PARAMS).put("message", "invalid elicitation result: action must be accept, decline or cancel")
        : null;
    return new ElicitResult(a, json != null && json.get("content") instanceof ObjectNode o ? o : null, error);
  }
}
