package dev.phantom.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The client's answer to a server-to-client request (sampling, ping): its {@code result}, or its JSON-RPC
 * {@code error}, or neither when it did not answer in time ({@link #timedOut()}) or the client lacks the
 * capability ({@link #unsupported()}).
 *
 * <pre>{@code
 * ctx.createMessage(params).thenApply(r -> r.ok() ? ToolResult.text(r.result().path("content").path("text").asText())
 *     : ToolResult.error(r.timedOut() ? "no answer" : "sampling refused"))
 * }</pre>
 */
public record ClientResponse(JsonNode result, ObjectNode error, boolean timedOut, boolean unsupported) {
  public static ClientResponse ofResult(JsonNode result) {
    return new ClientResponse(result, null, false, false);
  }

  public static ClientResponse ofError(ObjectNode error) {
    return new ClientResponse(null, error, false, false);
  }

  public static ClientResponse timeout() {
    return new ClientResponse(null, null, true, false);
  }

  public static ClientResponse notSupported() {
    return new ClientResponse(null, null, false, true);
  }

  public boolean ok() {
    return result != null;
  }
}
