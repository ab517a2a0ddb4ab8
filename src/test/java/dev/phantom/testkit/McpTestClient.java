package dev.phantom.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.LongNode;
import dev.phantom.mcp.Json;
import dev.phantom.mcp.JsonRpc;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A small MCP client over real HTTP for tests: JSON-RPC over POST, SSE responses read event by event
 * (so a test can answer an elicitation mid-stream), GET streams, resumption. Every wait is bounded.
 */
public final class McpTestClient {
  public static final Duration WAIT = Duration.ofSeconds(20);
  private static final HttpClient HTTP =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

  private URI endpoint;
  private String sessionId;
  private String protocolVersion = "2025-11-25";
  private long nextId = 1;

  public McpTestClient(URI endpoint) {
    this.endpoint = endpoint;
  }

  public String sessionId() {
    return sessionId;
  }

  /** Sends one request on session {@code sessionId} (taken as this client's session) and returns its response. */
  public JsonNode postRawSession(String sessionId, JsonNode request) {
    this.sessionId = sessionId;
    try (EventStream s = stream(request)) {
      return s.response();
    }
  }

  /** This client speaks for {@code other}'s session (another connection of the same client). */
  public McpTestClient adopt(McpTestClient other) {
    this.sessionId = other.sessionId;
    this.protocolVersion = other.protocolVersion;
    return this;
  }

  /** Sends the following requests to another node (same session). */
  public McpTestClient via(URI otherEndpoint) {
    this.endpoint = otherEndpoint;
    return this;
  }

  public URI endpoint() {
    return endpoint;
  }

  public synchronized long nextId() {
    return nextId++;
  }

  /** initialize + notifications/initialized, with elicitation (form and url) and sampling capabilities. */
  public McpTestClient initialize() {
    return initialize(Json.parseObject("{\"elicitation\":{\"form\":{},\"url\":{}},\"sampling\":{}}"));
  }

  public McpTestClient initialize(ObjectNode capabilities) {
    ObjectNode params = Json.object().put("protocolVersion", protocolVersion);
    params.set("capabilities", capabilities);
    params.putObject("clientInfo").put("name", "phantom-test").put("version", "1");
    Reply r = post(request(nextId(), "initialize", params), Map.of());
    if (r.status != 200) throw new AssertionError("initialize failed: " + r.status + " " + r.body);
    sessionId = r.header("mcp-session-id");
    if (sessionId == null) throw new AssertionError("no Mcp-Session-Id in " + r.headers);
    Reply n = post(notification("notifications/initialized", null), Map.of());
    if (n.status != 202) throw new AssertionError("initialized got " + n.status);
    return this;
  }

  public static ObjectNode request(long id, String method, JsonNode params) {
    return JsonRpc.request(LongNode.valueOf(id), method, params);
  }

  public static ObjectNode notification(String method, JsonNode params) {
    return JsonRpc.notification(method, params);
  }

  public static ObjectNode toolCall(long id, String tool, ObjectNode arguments) {
    ObjectNode params = Json.object().put("name", tool);
    params.set("arguments", arguments == null ? Json.object() : arguments);
    return request(id, "tools/call", params);
  }

  /** Calls a tool and returns its final JSON-RPC response (all events read). */
  public JsonNode callTool(String tool, ObjectNode arguments) {
    try (EventStream s = stream(toolCall(nextId(), tool, arguments))) {
      return s.response();
    }
  }

  /** Sends a request and returns its final JSON-RPC response. */
  public JsonNode call(String method, JsonNode params) {
    try (EventStream s = stream(request(nextId(), method, params))) {
      return s.response();
    }
  }

  /** POSTs a request and opens its SSE response as a stream of events. */
  public EventStream stream(JsonNode message) {
    HttpRequest.Builder b = base().header("Accept", "application/json, text/event-stream")
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(Json.write(message)));
    return open(b.build());
  }

  /** Opens the session's GET stream (or resumes a stream with {@code lastEventId}). */
  public EventStream get(String lastEventId) {
    HttpRequest.Builder b = base().header("Accept", "text/event-stream").GET();
    if (lastEventId != null) b.header("Last-Event-ID", lastEventId);
    return open(b.build());
  }

  /** A raw POST with extra headers; the reply is read whole (for JSON and error replies). */
  public Reply post(JsonNode message, Map<String, String> headers) {
    return postRaw(Json.write(message), headers);
  }

  public Reply postRaw(String body, Map<String, String> headers) {
    HttpRequest.Builder b = base().header("Accept", "application/json, text/event-stream")
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body));
    headers.forEach(b::setHeader);
    return send(b.build());
  }

  public Reply delete() {
    return send(base().DELETE().build());
  }

  /** Any request to the endpoint, with the session headers unless overridden. */
  public Reply send(HttpRequest request) {
    try {
      HttpResponse<String> r = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
      return new Reply(r.statusCode(), r.headers().map(), r.body());
    } catch (IOException e) {
      throw new AssertionError("HTTP request failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  public HttpRequest.Builder base() {
    HttpRequest.Builder b = HttpRequest.newBuilder(endpoint).timeout(Duration.ofSeconds(30));
    if (sessionId != null) b.header("Mcp-Session-Id", sessionId).header("MCP-Protocol-Version", protocolVersion);
    return b;
  }

  /** Takes {@code sessionId} as this client's session without sending anything (e.g. a second client that only knows the id). */
  public McpTestClient withSession(String sessionId) {
    this.sessionId = sessionId;
    return this;
  }

  /** {@link #initialize(ObjectNode)} with {@code headers} (e.g. Authorization) on both messages. */
  public McpTestClient initialize(ObjectNode capabilities, Map<String, String> headers) {
    ObjectNode params = Json.object().put("protocolVersion", protocolVersion);
    params.set("capabilities", capabilities);
    params.putObject("clientInfo").put("name", "phantom-test").put("version", "1");
    Reply r = post(request(nextId(), "initialize", params), headers);
    if (r.status != 200) throw new AssertionError("initialize failed: " + r.status + " " + r.body);
    sessionId = r.header("mcp-session-id");
    if (sessionId == null) throw new AssertionError("no Mcp-Session-Id in " + r.headers);
    Reply n = post(notification("notifications/initialized", null), headers);
    if (n.status != 202) throw new AssertionError("initialized got " + n.status);
    return this;
  }

  /** {@link #stream(JsonNode)} with extra {@code headers}. */
  public EventStream stream(JsonNode message, Map<String, String> headers) {
    HttpRequest.Builder b = base().header("Accept", "application/json, text/event-stream")
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(Json.write(message)));
    headers.forEach(b::setHeader);
    return open(b.build());
  }

  /** {@link #get(String)} with extra {@code headers}. */
  public EventStream get(String lastEventId, Map<String, String> headers) {
    HttpRequest.Builder b = base().header("Accept", "text/event-stream").GET();
    if (lastEventId != null) b.header("Last-Event-ID", lastEventId);
    headers.forEach(b::setHeader);
    return open(b.build());
  }

  /** {@link #delete()} with extra {@code headers}. */
  public Reply delete(Map<String, String> headers) {
    HttpRequest.Builder b = base().DELETE();
    headers.forEach(b::setHeader);
    return send(b.build());
  }

  /** Opens any request's reply as an SSE stream (a non-SSE reply: status and body, no events). */
  public EventStream openStream(HttpRequest request) {
    return open(request);
  }

  private EventStream open(HttpRequest request) {
    try {
      HttpResponse<InputStream> r = HTTP.send(request, HttpResponse.BodyHandlers.ofInputStream());
      return new EventStream(r);
    } catch (IOException e) {
      throw new AssertionError("HTTP request failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** A whole HTTP reply. */
  public record Reply(int status, Map<String, List<String>> headers, String body) {
    public String header(String name) {
      for (var e : headers.entrySet()) {
        if (e.getKey().equalsIgnoreCase(name)) return e.getValue().get(0);
      }
      return null;
    }

    public JsonNode json() {
      try {
        return Json.parse(body);
      } catch (IOException e) {
        throw new AssertionError("not JSON: " + body);
      }
    }
  }

  /** One SSE event; {@code data} is null for the priming event. */
  /** One SSE event; {@code receivedNanos} is {@link System#nanoTime()} when the reader parsed it. */
  public record Event(String id, JsonNode data, long receivedNanos) {}

  /** An SSE response read by a background thread; {@link #next} waits for one event at most {@code WAIT}. */
  public static final class EventStream implements AutoCloseable {
    public final int status;
    public final String body;
    private final InputStream in;
    private final BlockingQueue<Object> events = new LinkedBlockingQueue<>();
    private static final Object END = new Object();
    private String lastEventId;

    EventStream(HttpResponse<InputStream> response) {
      this.status = response.statusCode();
      this.in = response.body();
      String contentType = response.headers().firstValue("content-type").orElse("");
      if (status != 200 || !contentType.startsWith("text/event-stream")) {
        String text;
        try {
          text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
          text = "";
        }
        this.body = text;
        events.add(END);
        return;
      }
      this.body = null;
      Thread reader = new Thread(this::read, "sse-reader");
      reader.setDaemon(true);
      reader.start();
    }

    private void read() {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
        String id = null;
        StringBuilder data = null;
        String line;
        while ((line = r.readLine()) != null) {
          if (line.isEmpty()) {
            if (id != null || data != null) {
              String text = data == null ? "" : data.toString();
              events.add(new Event(id, text.isEmpty() ? null : Json.parse(text), System.nanoTime()));
            }
            id = null;
            data = null;
          } else if (line.startsWith(":")) {
            // comment (keep-alive)
          } else if (line.startsWith("id:")) {
            id = line.substring(3).trim();
          } else if (line.startsWith("data:")) {
            String d = line.substring(5);
            if (d.startsWith(" ")) d = d.substring(1);
            if (data == null) data = new StringBuilder(d);
            else data.append('\n').append(d);
          }
        }
      } catch (IOException ignored) {
        // the connection ended
      } finally {
        events.add(END);
      }
    }

    /** The next event, or null when the stream ended; fails after {@code WAIT} without one. */
    public Event next() {
      return next(WAIT);
    }

    public Event next(Duration timeout) {
      try {
        Object e = events.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (e == null) throw new AssertionError("no SSE event within " + timeout);
        if (e == END) {
          events.add(END);
          return null;
        }
        Event event = (Event) e;
        if (event.id() != null) lastEventId = event.id();
        return event;
      } catch (InterruptedException ie) {
        Thread.currentThread().interrupt();
        throw new AssertionError(ie);
      }
    }

    /** The next event carrying a JSON-RPC message that matches, skipping others; fails at the end. */
    public JsonNode nextMatching(Predicate<JsonNode> wanted) {
      long deadline = System.nanoTime() + WAIT.toNanos();
      while (System.nanoTime() < deadline) {
        Event e = next(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
        if (e == null) throw new AssertionError("stream ended before a matching message");
        if (e.data() != null && wanted.test(e.data())) return e.data();
      }
      throw new AssertionError("no matching message within " + WAIT);
    }

    /** Reads until the final JSON-RPC response (a message with result or error and no method). */
    public JsonNode response() {
      return nextMatching(m -> !m.has("method") && (m.has("result") || m.has("error")));
    }

    /** Every message until the stream ends. */
    public List<JsonNode> drain() {
      List<JsonNode> out = new ArrayList<>();
      Event e;
      while ((e = next()) != null) if (e.data() != null) out.add(e.data());
      return out;
    }

    /** Whether the stream has ended within {@code timeout} (events before the end are discarded). */
    public boolean endsWithin(Duration timeout) {
      long deadline = System.nanoTime() + timeout.toNanos();
      while (System.nanoTime() < deadline) {
        try {
          Object e = events.poll(Math.max(1, (deadline - System.nanoTime()) / 1_000_000), TimeUnit.MILLISECONDS);
          if (e == END) {
            events.add(END);
            return true;
          }
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          return false;
        }
      }
      return false;
    }

    public String lastEventId() {
      return lastEventId;
    }

    @Override
    public void close() {
      try {
        in.close();
      } catch (IOException ignored) {
        // closing a dead stream
      }
    }
  }
}
