package dev.phantom.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.phantom.mcp.Json;
import dev.phantom.mcp.JsonRpc;
import dev.phantom.testkit.McpTestClient.EventStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A client of the stateless MCP 2026-07-28 wire for tests: no session; every request carries its own
 * {@code params._meta} (protocol version, client capabilities, client info, optionally a log level and
 * a progress token) and the headers that mirror its body ({@code MCP-Protocol-Version}, {@code
 * Mcp-Method}, {@code Mcp-Name} where the method has one). A response is read whether it is one JSON
 * body or an SSE stream. Every wait is bounded ({@link McpTestClient#WAIT}).
 *
 * <pre>{@code
 * ModernClient c = ModernClient.at(node.endpoint);
 * JsonNode r = c.callTool("echo", Json.object().put("text", "hi"));          // the final JSON-RPC message
 * try (ModernClient.Exchange s = c.open(c.request("subscriptions/listen", params))) { s.next(); }
 * Reply raw = c.post(message, Map.of("MCP-Protocol-Version", "2026-07-28"));   // exactly these headers
 * }</pre>
 */
public final class ModernClient {
  public static final String VERSION = "2026-07-28";
  public static final String META_VERSION = "io.modelcontextprotocol/protocolVersion";
  public static final String META_CAPABILITIES = "io.modelcontextprotocol/clientCapabilities";
  public static final String META_CLIENT_INFO = "io.modelcontextprotocol/clientInfo";
  public static final String META_LOG_LEVEL = "io.modelcontextprotocol/logLevel";
  public static final String META_SERVER_INFO = "io.modelcontextprotocol/serverInfo";
  public static final String META_SUBSCRIPTION_ID = "io.modelcontextprotocol/subscriptionId";

  private static final HttpClient HTTP =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
  private static final AtomicInteger IDS = new AtomicInteger(1);

  private final URI endpoint;
  private final ObjectNode capabilities;

  private ModernClient(URI endpoint, ObjectNode capabilities) {
    this.endpoint = endpoint;
    this.capabilities = capabilities;
  }

  /** A client declaring elicitation (form), sampling and roots. */
  public static ModernClient at(URI endpoint) {
    return new ModernClient(endpoint, Json.parseObject("{\"elicitation\":{\"form\":{}},\"sampling\":{},\"roots\":{}}"));
  }

  /** The same client (same capabilities) talking to another node. */
  public ModernClient via(URI otherEndpoint) {
    return new ModernClient(otherEndpoint, capabilities);
  }

  /** The same client declaring {@code declared} as its capabilities. */
  public ModernClient declaring(ObjectNode declared) {
    return new ModernClient(endpoint, declared.deepCopy());
  }

  public URI endpoint() {
    return endpoint;
  }

  /** A fresh numeric id (unique in this JVM; an int, as the JSON parser reads it back). */
  public static JsonNode nextId() {
    return IntNode.valueOf(IDS.getAndIncrement());
  }

  /** The {@code _meta} of this client's requests. */
  public ObjectNode meta() {
    ObjectNode meta = Json.object().put(META_VERSION, VERSION);
    meta.set(META_CAPABILITIES, capabilities.deepCopy());
    meta.putObject(META_CLIENT_INFO).put("name", "phantom-modern-test").put("version", "1");
    return meta;
  }

  /** A request with a fresh id whose params carry this client's {@code _meta} (merged into any given there). */
  public ObjectNode request(String method, ObjectNode params) {
    return request(nextId(), method, params);
  }

  public ObjectNode request(JsonNode id, String method, ObjectNode params) {
    ObjectNode p = params == null ? Json.object() : params.deepCopy();
    ObjectNode meta = meta();
    if (p.get("_meta") instanceof ObjectNode given) meta.setAll(given);
    p.set("_meta", meta);
    return JsonRpc.request(id, method, p);
  }

  /** A {@code tools/call} request. */
  public ObjectNode toolCall(String tool, ObjectNode arguments) {
    ObjectNode params = Json.object().put("name", tool);
    params.set("arguments", arguments == null ? Json.object() : arguments);
    return request("tools/call", params);
  }

  /** The headers a conforming client sends with {@code message}: version, method, and name where required. */
  public static Map<String, String> headersFor(JsonNode message) {
    Map<String, String> headers = new LinkedHashMap<>();
    JsonNode params = message.path("params");
    headers.put("MCP-Protocol-Version", params.path("_meta").path(META_VERSION).asText(VERSION));
    String method = message.path("method").asText();
    headers.put("Mcp-Method", method);
    String nameField = switch (method) {
      case "tools/call", "prompts/get" -> "name";
      case "resources/read" -> "uri";
      default -> null;
    };
    if (nameField != null && params.path(nameField).isTextual()) headers.put("Mcp-Name", params.path(nameField).asText());
    return headers;
  }

  /** Sends {@code message} with its conforming headers and returns the final JSON-RPC message of the reply. */
  public JsonNode send(JsonNode message) {
    try (Exchange e = open(message)) {
      return e.response();
    }
  }

  /** Sends a request and returns its final JSON-RPC message (a result or an error). */
  public JsonNode call(String method, ObjectNode params) {
    return send(request(method, params));
  }

  public JsonNode callTool(String tool, ObjectNode arguments) {
    return send(toolCall(tool, arguments));
  }

  /** POSTs {@code message} with its conforming headers and opens the reply (JSON or SSE). */
  public Exchange open(JsonNode message) {
    return open(message, headersFor(message));
  }

  /** POSTs {@code message} with exactly {@code headers} (besides Accept and Content-Type) and opens the reply. */
  public Exchange open(JsonNode message, Map<String, String> headers) {
    HttpRequest.Builder b = HttpRequest.newBuilder(endpoint).timeout(Duration.ofSeconds(30))
        .header("Accept", "application/json, text/event-stream")
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(Json.write(message)));
    headers.forEach(b::setHeader);
    try {
      return new Exchange(HTTP.send(b.build(), HttpResponse.BodyHandlers.ofInputStream()));
    } catch (IOException e) {
      throw new AssertionError("HTTP request failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** POSTs {@code message} with exactly {@code headers} and reads the whole reply (for error replies). */
  public McpTestClient.Reply post(JsonNode message, Map<String, String> headers) {
    HttpRequest.Builder b = HttpRequest.newBuilder(endpoint).timeout(Duration.ofSeconds(30))
        .header("Accept", "application/json, text/event-stream")
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(Json.write(message)));
    headers.forEach(b::setHeader);
    try {
      HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
      return new McpTestClient.Reply(r.statusCode(), r.headers().map(), r.body());
    } catch (IOException e) {
      throw new AssertionError("HTTP request failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** An id as JSON (for tests that choose their ids). */
  public static JsonNode id(String id) {
    return TextNode.valueOf(id);
  }

  /**
   * The reply to one POST: a JSON body (one message) or an SSE stream read event by event. Closing it
   * closes the connection (on the 2026-07-28 wire, that cancels the request).
   */
  public static final class Exchange implements AutoCloseable {
    public final int status;
    public final String contentType;
    private final JsonNode json;
    private final EventStream sse;
    private boolean jsonTaken;

    Exchange(HttpResponse<InputStream> response) {
      this.status = response.statusCode();
      this.contentType = response.headers().firstValue("content-type").orElse("");
      if (contentType.startsWith("text/event-stream")) {
        this.sse = new EventStream(response);
        this.json = null;
        return;
      }
      this.sse = null;
      String text;
      try (InputStream in = response.body()) {
        text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new AssertionError("reading the reply failed", e);
      }
      try {
        this.json = text.isEmpty() ? null : Json.parse(text);
      } catch (IOException e) {
        throw new AssertionError("not JSON (" + status + ", " + contentType + "): " + text);
      }
    }

    public boolean isStream() {
      return sse != null;
    }

    public boolean isJson() {
      return contentType.startsWith("application/json");
    }

    /** The SSE stream (fails when the reply is JSON). */
    public EventStream stream() {
      if (sse == null) throw new AssertionError("the reply is not an SSE stream but " + contentType + ": " + json);
      return sse;
    }

    /** The next message: the JSON body once, or the next SSE event with data; null at the end. */
    public JsonNode next() {
      if (sse == null) {
        if (jsonTaken) return null;
        jsonTaken = true;
        return json;
      }
      McpTestClient.Event e;
      do {
        e = sse.next();
      } while (e != null && e.data() == null);
      return e == null ? null : e.data();
    }

    /** The final JSON-RPC message (a result or an error, not a notification); other messages are skipped. */
    public JsonNode response() {
      if (sse == null) {
        if (json == null) throw new AssertionError("empty reply with status " + status);
        return json;
      }
      return sse.response();
    }

    /** Every message until the end of the reply. */
    public List<JsonNode> drain() {
      if (sse == null) return json == null ? List.of() : List.of(json);
      return new ArrayList<>(sse.drain());
    }

    @Override
    public void close() {
      if (sse != null) sse.close();
    }
  }
}
