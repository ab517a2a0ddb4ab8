package dev.phantom.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A JSON-RPC error to answer a request with. Handlers may throw it (or complete their stage with it) to
 * answer with a protocol error; any other exception becomes {@code -32603 Internal error} without
 * details (no stack traces to clients).
 *
 * <pre>{@code
 * throw McpError.invalidParams("unknown city: " + city);
 * }</pre>
 */
public final class McpError extends RuntimeException {
  public static final int PARSE_ERROR = -32700;
  public static final int INVALID_REQUEST = -32600;
  public static final int METHOD_NOT_FOUND = -32601;
  public static final int INVALID_PARAMS = -32602;
  public static final int INTERNAL_ERROR = -32603;
  /** Transport-level errors (bad headers, missing session id), as the TypeScript SDK uses it. */
  public static final int SERVER_ERROR = -32000;
  public static final int SESSION_NOT_FOUND = -32001;
  public static final int RESOURCE_NOT_FOUND = -32002;
  public static final int URL_ELICITATION_REQUIRED = -32042;
  /** 2026-07-28: an MCP header is missing or differs from the body. */
  public static final int HEADER_MISMATCH = -32020;
  /** 2026-07-28: the request needs a client capability it did not declare. */
  public static final int MISSING_CLIENT_CAPABILITY = -32021;
  /** 2026-07-28: the requested protocol version is not served here. */
  public static final int UNSUPPORTED_PROTOCOL_VERSION = -32022;

  private final int code;
  private final transient JsonNode data;

  public McpError(int code, String message, JsonNode data) {
    super(message, null, false, false);
    this.code = code;
    this.data = data;
  }

  public McpError(int code, String message) {
    this(code, message, null);
  }

  public int code() {
    return code;
  }

  public JsonNode data() {
    return data;
  }

  /** The JSON-RPC error object: {@code {"code":..,"message":..,"data":..}}. */
  public ObjectNode toJson() {
    ObjectNode error = Json.object().put("code", code).put("message", getMessage());
    if (data != null) error.set("data", data);
    return error;
  }

  public static McpError parseError(String detail) {
    return new McpError(PARSE_ERROR, "Parse error: " + detail);
  }

  public static McpError invalidRequest(String detail) {
    return new McpError(INVALID_REQUEST, "Invalid request: " + detail);
  }

  public static McpError methodNotFound(String method) {
    return new McpError(METHOD_NOT_FOUND, "Method not found: " + method);
  }

  public static McpError invalidParams(String detail) {
    return new McpError(INVALID_PARAMS, "Invalid params: " + detail);
  }

  public static McpError internal() {
    return new McpError(INTERNAL_ERROR, "Internal error");
  }

  public static McpError resourceNotFound(String uri) {
    return new McpError(RESOURCE_NOT_FOUND, "Resource not found: " + uri, Json.object().put("uri", uri));
  }

  /** -32042: the request needs the client to complete these URL elicitations first. */
  public static McpError urlElicitationRequired(String message, java.util.List<UrlElicitation> elicitations) {
    com.fasterxml.jackson.databind.node.ArrayNode items = Json.array();
    for (UrlElicitation e : elicitations) items.add(e.toJson());
    ObjectNode data = Json.object();
    data.set("elicitations", items);
    return new McpError(URL_ELICITATION_REQUIRED, message, data);
  }

  /**
   * -32021: the request needs client capabilities it did not declare; {@code required} is a {@code
   * ClientCapabilities} object such as {@code {"sampling":{}}}. A handler throws it to refuse a request
   * it cannot serve without them.
   */
  public static McpError missingClientCapability(ObjectNode required) {
    ObjectNode data = Json.object();
    data.set("requiredCapabilities", required);
    return new McpError(MISSING_CLIENT_CAPABILITY,
        "Missing required client capability: " + String.join(", ", (Iterable<String>) required::fieldNames), data);
  }

  /** -32020: a header required on the 2026-07-28 wire is missing or differs from the body. */
  public static McpError headerMismatch(String detail) {
    return new McpError(HEADER_MISMATCH, "Header mismatch: " + detail);
  }
}
