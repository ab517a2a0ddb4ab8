package dev.phantom.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * JSON-RPC 2.0 messages: classification of what a client sent, and builders for what we send.
 *
 * <pre>{@code
 * ObjectNode reply = JsonRpc.result(request.id(), Json.object().put("ok", true));
 * }</pre>
 */
public final class JsonRpc {
  private JsonRpc() {}

  /** One message from the client. */
  public sealed interface Message {}

  /** A request: has a method and a non-null string or integer id. */
  public record Request(JsonNode id, String method, JsonNode params) implements Message {}

  /** A notification: a method without an id. */
  public record Notification(String method, JsonNode params) implements Message {}

  /** The client's answer to a request the server sent: a result or an error. */
  public record Response(JsonNode id, JsonNode result, ObjectNode error) implements Message {}

  /**
   * Classifies one JSON value as a JSON-RPC message.
   *
   * @throws McpError {@code -32600} when it is not a valid JSON-RPC 2.0 message
   */
  public static Message parse(JsonNode node) {
    if (node == null || !node.isObject()) throw McpError.invalidRequest("a JSON-RPC message is a JSON object");
    if (!"2.0".equals(node.path("jsonrpc").textValue())) {
      throw McpError.invalidRequest("\"jsonrpc\" must be \"2.0\"");
    }
    JsonNode id = node.get("id");
    JsonNode method = node.get("method");
    JsonNode params = node.get("params");
    if (params != null && !params.isObject() && !params.isNull()) {
      throw McpError.invalidRequest("\"params\" must be an object");
    }
    if (method != null) {
      if (!method.isTextual() || method.textValue().isEmpty()) {
        throw McpError.invalidRequest("\"method\" must be a non-empty string");
      }
      if (id == null) return new Notification(method.textValue(), params);
      requireValidId(id);
      return new Request(id, method.textValue(), params);
    }
    if (id != null && (node.has("result") || node.has("error"))) {
      requireValidId(id);
      JsonNode error = node.get("error");
      if (error != null && !(error.isObject() && error.path("code").isIntegralNumber())) {
        throw McpError.invalidRequest("\"error\" must be an object with an integer \"code\"");
      }
      return new Response(id, node.get("result"), error == null ? null : (ObjectNode) error);
    }
    throw McpError.invalidRequest("neither a request, a notification nor a response");
  }

  private static void requireValidId(JsonNode id) {
    if (!(id.getNodeType() == JsonNodeType.STRING || id.isIntegralNumber())) {
      throw McpError.invalidRequest("\"id\" must be a string or an integer");
    }
  }

  public static ObjectNode result(JsonNode id, JsonNode result) {
    ObjectNode out = Json.object().put("jsonrpc", "2.0");
    out.set("id", id);
    out.set("result", result);
    return out;
  }

  /** An error response; {@code id} may be null (then the error has {@code "id": null}, as JSON-RPC asks). */
  public static ObjectNode error(JsonNode id, McpError error) {
    ObjectNode out = Json.object().put("jsonrpc", "2.0");
    if (id == null) out.putNull("id");
    else out.set("id", id);
    out.set("error", error.toJson());
    return out;
  }

  public static ObjectNode notification(String method, JsonNode params) {
    ObjectNode out = Json.object().put("jsonrpc", "2.0").put("method", method);
    if (params != null) out.set("params", params);
    return out;
  }

  public static ObjectNode request(JsonNode id, String method, JsonNode params) {
    ObjectNode out = Json.object().put("jsonrpc", "2.0");
    out.set("id", id);
    out.put("method", method);
    if (params != null) out.set("params", params);
    return out;
  }

  /** {@code notifications/message} from the server's logger. */
  public static ObjectNode logMessage(LogLevel level, JsonNode data) {
    ObjectNode params = Json.object().put("level", level.wireName()).put("logger", "server");
    params.set("data", data);
    return notification("notifications/message", params);
  }

  /** {@code notifications/progress} for the request that carried {@code progressToken}. */
  public static ObjectNode progress(JsonNode progressToken, double progress, Double total, String message) {
    ObjectNode params = Json.object();
    params.set("progressToken", progressToken);
    params.put("progress", progress);
    if (total != null) params.put("total", total);
    if (message != null) params.put("message", message);
    return notification("notifications/progress", params);
  }
}
