package dev.phantom.http;

import akka.http.javadsl.model.StatusCodes;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.phantom.http.HttpRules.Reject;
import dev.phantom.mcp.Json;
import dev.phantom.mcp.JsonRpc;
import dev.phantom.mcp.McpError;
import dev.phantom.session.McpLimits;
import java.util.List;

/**
 * The size limits of a POSTed message, checked on the HTTP layer before anything is spawned, tracked or
 * kept (both eras): JSON nesting depth, id length, resource URI length, and the size of an initialize's
 * {@code clientInfo} and {@code capabilities}. Each refusal is 400 with a JSON-RPC error naming the
 * limit (-32600 for the message, -32602 for a parameter).
 */
final class InputLimits {
  private final McpLimits limits;
  private final ObjectMapper parser;

  InputLimits(McpLimits limits) {
    this.limits = limits;
    this.parser = Json.clientInputMapper(limits.maxJsonDepth());
  }

  /** Parses a body; too deep is -32600, malformed -32700. */
  JsonNode parse(byte[] body) {
    try {
      return parser.readTree(body);
    } catch (StreamConstraintsException e) {
      throw new Reject(StatusCodes.BAD_REQUEST, McpError.INVALID_REQUEST,
          "Invalid request: JSON nested deeper than " + limits.maxJsonDepth() + " levels");
    } catch (java.io.IOException e) {
      throw new Reject(StatusCodes.BAD_REQUEST, McpError.PARSE_ERROR, "Parse error: invalid JSON");
    }
  }

  /** The id and URI limits of a parsed message. */
  void check(JsonRpc.Message message) {
    JsonNode id = message instanceof JsonRpc.Request r ? r.id() : message instanceof JsonRpc.Response r ? r.id() : null;
    if (id != null && (id.isTextual() ? id.textValue().length() : id.asText().length()) > limits.maxIdLength()) {
      // Not echoed: the id is the problem.
      throw new Reject(StatusCodes.BAD_REQUEST, McpError.INVALID_REQUEST,
          "Invalid request: id longer than " + limits.maxIdLength() + " characters");
    }
    JsonNode params = message instanceof JsonRpc.Request r ? r.params()
        : message instanceof JsonRpc.Notification n ? n.params() : null;
    JsonNode uri = params == null ? null : params.get("uri");
    if (uri != null && uri.isTextual() && uri.textValue().length() > limits.maxUriLength()) {
      throw new Reject(StatusCodes.BAD_REQUEST, McpError.invalidParams(
          "\"uri\" longer than " + limits.maxUriLength() + " characters"), List.of(), id);
    }
  }

  /** What an initialize asks the session to keep for its life. */
  static void checkInitialize(ObjectNode params, McpLimits limits, JsonNode id) {
    for (String field : List.of("clientInfo", "capabilities")) {
      JsonNode value = params.get(field);
      if (value != null && Json.writeBytes(value).length > limits.maxClientInfoBytes()) {
        throw new Reject(StatusCodes.BAD_REQUEST, McpError.invalidParams(
            "\"" + field + "\" larger than " + limits.maxClientInfoBytes() + " bytes"), List.of(), id);
      }
    }
  }
}
