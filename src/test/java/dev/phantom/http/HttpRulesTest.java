package dev.phantom.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.ConfigFactory;
import dev.phantom.mcp.Json;
import dev.phantom.testkit.Eventually;
import dev.phantom.testkit.McpTestClient;
import dev.phantom.testkit.McpTestClient.Event;
import dev.phantom.testkit.McpTestClient.EventStream;
import dev.phantom.testkit.McpTestClient.Reply;
import dev.phantom.testkit.McpTestNode;
import dev.phantom.testkit.TestCluster;
import dev.phantom.tracker.HomedIds;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every bad-input rule of the {@code /mcp} endpoint (docs/http-errors.md) over real HTTP: the exact
 * status, a JSON-RPC error body without stack traces, and no effect on any other session — a
 * bystander session with an open GET stream keeps answering and keeps receiving notifications, and a
 * session that the bad input targeted keeps working too.
 */
class HttpRulesTest {
  private static final int MAX_BODY = 1024 * 1024;
  private static final String SSE = "text/event-stream";
  private static final String JSON_AND_SSE = "application/json, text/event-stream";
  private static final String LIST_CHANGED = "notifications/tools/list_changed";
  private static final HttpClient HTTP =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

  private static TestCluster cluster;
  private static McpTestNode node;
  /** A session nobody misbehaves on; after every rule it must still answer and still get notifications. */
  private static McpTestClient bystander;
  private static EventStream bystanderGet;

  /** GET streams a test opened; closed after it. */
  private final List<EventStream> opened = new ArrayList<>();

  /** A session a rule targets, with its GET stream (null when it has none open). */
  private record Session(McpTestClient client, EventStream get) {}

  @BeforeAll
  static void start() {
    // The server notices a vanished SSE client only when a write to it fails, which takes two writes
    // (keep-alives when idle): a short keep-alive keeps the "GET after the first disconnected" wait short.
    cluster = TestCluster.start(1, ConfigFactory.parseString("phantom.mcp.sse-keep-alive = 1s"));
    node = McpTestNode.serve(cluster.node(0));
    bystander = node.client().initialize();
    bystanderGet = bystander.get(null);
    assertEquals(200, bystanderGet.status, () -> "bystander GET: " + bystanderGet.body);
  }

  @AfterAll
  static void stop() {
    if (bystanderGet != null) bystanderGet.close();
    if (cluster != null) cluster.close();
  }

  @AfterEach
  void closeStreams() {
    opened.forEach(EventStream::close);
  }

  // ------------------------------------------------------------------ POST content negotiation

  @Test
  void postWithoutEventStreamInAcceptIs406() {
    Session v = victim();
    for (String accept : List.of("application/json", "text/event-stream", "text/html")) {
      Reply r = v.client().post(ping(v), Map.of("Accept", accept));
      JsonNode error = assertError(r, 406, -32000);
      assertTrue(error.path("message").asText().contains("application/json and text/event-stream"), error::toString);
    }
    // A GET must accept text/event-stream.
    assertError(send(v.client().base().header("Accept", "application/json").GET().build()), 406, -32000);
    assertUntouched(v);
  }

  @Test
  void postWithNonJsonContentTypeIs415() {
    Session v = victim();
    for (String type : List.of("text/plain", "application/x-www-form-urlencoded")) {
      Reply r = v.client().post(ping(v), Map.of("Content-Type", type));
      JsonNode error = assertError(r, 415, -32000);
      assertTrue(error.path("message").asText().contains("application/json"), error::toString);
    }
    // application/json with parameters is fine
    Reply withCharset = v.client().post(ping(v), Map.of("Content-Type", "application/json; charset=utf-8"));
    assertEquals(200, withCharset.status(), withCharset::body);
    assertTrue(sseResponse(withCharset).has("result"), withCharset::body);
    assertUntouched(v);
  }

  // ------------------------------------------------------------------ POST body

  @Test
  void malformedJsonIs400ParseError() {
    Session v = victim();
    for (String body : List.of("{\"jsonrpc\":\"2.0\",\"id\":1,", "{not json}", "",
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"} trailing",
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"ping\"}")) {
      Reply r = v.client().postRaw(body, Map.of());
      assertError(r, 400, -32700, "body " + body);
    }
    assertUntouched(v);
  }

  @Test
  void nonObjectBodyIs400InvalidRequest() {
    Session v = victim();
    for (String body : List.of("42", "\"x\"", "null", "true")) {
      assertError(v.client().postRaw(body, Map.of()), 400, -32600, "body " + body);
    }
    assertUntouched(v);
  }

  @Test
  void invalidJsonRpcMessageIs400InvalidRequest() {
    Session v = victim();
    for (String body : List.of(
        "{\"jsonrpc\":\"1.0\",\"id\":1,\"method\":\"ping\"}",
        "{\"id\":1,\"method\":\"ping\"}",
        "{\"jsonrpc\":\"2.0\",\"id\":null,\"method\":\"ping\"}",
        "{\"jsonrpc\":\"2.0\",\"id\":1.5,\"method\":\"ping\"}",
        "{\"jsonrpc\":\"2.0\",\"id\":{},\"method\":\"ping\"}",
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\",\"params\":[1]}",
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"\"}",
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":7}",
        "{\"jsonrpc\":\"2.0\",\"id\":1}",
        "{\"jsonrpc\":\"2.0\",\"id\":\"a\",\"error\":{\"message\":\"no code\"}}")) {
      assertError(v.client().postRaw(body, Map.of()), 400, -32600, "body " + body);
    }
    assertUntouched(v);
  }

  @Test
  void batchesAre400InvalidRequest() {
    Session v = victim();
    String one = Json.write(ping(v));
    for (String body : List.of("[" + one + "]", "[" + one + "," + one + "]", "[]")) {
      JsonNode error = assertError(v.client().postRaw(body, Map.of()), 400, -32600, "body " + body);
      assertTrue(error.path("message").asText().toLowerCase().contains("batch"), error::toString);
    }
    assertUntouched(v);
  }

  @Test
  void bodyOverTheLimitIs413() {
    Session v = victim();
    String tooBig = echoBody(v, MAX_BODY + 1);
    assertEquals(MAX_BODY + 1, tooBig.getBytes(StandardCharsets.UTF_8).length);

    // with Content-Length (java.net.http sends it for a string body): refused without keeping the body
    JsonNode error = assertError(v.client().postRaw(tooBig, Map.of()), 413, -32600, "with Content-Length");
    assertTrue(error.path("message").asText().contains(String.valueOf(MAX_BODY)), error::toString);

    // chunked (no Content-Length): refused once the limit is passed while reading
    HttpRequest chunked = v.client().base().header("Accept", JSON_AND_SSE).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofInputStream(
            () -> new ByteArrayInputStream(tooBig.getBytes(StandardCharsets.UTF_8))))
        .build();
    assertEquals(-1, chunked.bodyPublisher().orElseThrow().contentLength(), "sent chunked");
    assertError(send(chunked), 413, -32600, "chunked");

    // exactly the limit is accepted
    String atLimit = echoBody(v, MAX_BODY);
    Reply ok = v.client().postRaw(atLimit, Map.of());
    assertEquals(200, ok.status(), "a body of exactly the limit is accepted");
    JsonNode echoed = sseResponse(ok);
    String echoedText = text(echoed);
    assertTrue(echoedText.length() > MAX_BODY - 200 && echoedText.chars().allMatch(ch -> ch == 'a'),
        "the whole text came through");
    assertUntouched(v);
  }

  // ------------------------------------------------------------------ headers and sessions

  @Test
  void unsupportedProtocolVersionIs400AndChangesNothing() {
    Session v = victim();
    Map<String, String> bad = Map.of("MCP-Protocol-Version", "1999-01-01");
    JsonNode error = assertError(v.client().post(ping(v), bad), 400, -32000, "POST");
    String message = error.path("message").asText();
    for (String version : List.of("1999-01-01", "2025-11-25", "2025-06-18", "2025-03-26")) {
      assertTrue(message.contains(version), () -> "message names " + version + ": " + message);
    }
    // notifications and responses too
    assertError(v.client().post(McpTestClient.notification("notifications/initialized", null), bad), 400, -32000);
    // GET and DELETE: no stream opened, the session is not deleted
    assertError(send(v.client().base().setHeader("MCP-Protocol-Version", "1999-01-01")
        .header("Accept", SSE).GET().build()), 400, -32000, "GET");
    assertError(send(v.client().base().setHeader("MCP-Protocol-Version", "1999-01-01").DELETE().build()),
        400, -32000, "DELETE");
    // a supported older version in the header is accepted
    Reply older = v.client().post(ping(v), Map.of("MCP-Protocol-Version", "2025-03-26"));
    assertEquals(200, older.status(), older::body);
    assertUntouched(v);
  }

  @Test
  void missingSessionIdIs400() {
    Session v = victim();
    McpTestClient anonymous = node.client();
    assertNull(anonymous.sessionId());
    assertError(anonymous.post(McpTestClient.request(1, "ping", null), Map.of()), 400, -32000, "request");
    assertError(anonymous.post(McpTestClient.toolCall(2, "echo", Json.object().put("text", "x")), Map.of()), 400, -32000);
    assertError(anonymous.post(McpTestClient.notification("notifications/initialized", null), Map.of()), 400, -32000);
    assertError(anonymous.postRaw("{\"jsonrpc\":\"2.0\",\"id\":\"x\",\"result\":{}}", Map.of()), 400, -32000);
    assertError(send(anonymous.base().header("Accept", SSE).GET().build()), 400, -32000, "GET");
    assertError(send(anonymous.base().DELETE().build()), 400, -32000, "DELETE");
    assertUntouched(v);
  }

  @Test
  void unknownSessionIdIs404() {
    Session v = victim();
    long selfUid = HomedIds.homeUid(bystander.sessionId()).orElseThrow();
    List<String> unknown = List.of(
        "nope",                            // not an id this server mints
        HomedIds.mint(selfUid),            // well-formed, homed on this node, never created
        HomedIds.mint(selfUid ^ 0x5a5a5a)); // well-formed, homed on a node that is no member
    for (String id : unknown) {
      assertError(post(id, Json.write(McpTestClient.request(1, "ping", null))), 404, -32001, "POST " + id);
      assertError(post(id, Json.write(McpTestClient.notification("notifications/initialized", null))), 404, -32001);
      assertError(post(id, "{\"jsonrpc\":\"2.0\",\"id\":\"x\",\"result\":{}}"), 404, -32001);
      assertError(send(withSession(id).header("Accept", SSE).GET().build()), 404, -32001, "GET " + id);
      assertError(send(withSession(id).DELETE().build()), 404, -32001, "DELETE " + id);
    }
    assertUntouched(v);
  }

  @Test
  void aTerminatedSessionIs404() {
    Session v = victim();
    McpTestClient gone = node.client().initialize();
    EventStream goneGet = open(gone.get(null));
    assertEquals(200, goneGet.status);
    Reply deleted = gone.delete();
    assertEquals(200, deleted.status(), deleted::body);
    assertTrue(goneGet.endsWithin(Duration.ofSeconds(5)), "the deleted session's GET stream is closed");

    assertError(gone.post(McpTestClient.request(gone.nextId(), "ping", null), Map.of()), 404, -32001, "POST");
    assertError(gone.post(McpTestClient.notification("notifications/initialized", null), Map.of()), 404, -32001);
    assertError(send(gone.base().header("Accept", SSE).GET().build()), 404, -32001, "GET");
    assertError(gone.delete(), 404, -32001, "DELETE again");
    assertUntouched(v);
  }

  @Test
  void foreignOriginOrHostIs403() {
    Session v = victim();
    Map<String, String> evilOrigin = Map.of("Origin", "http://evil.example.com");
    JsonNode error = assertError(v.client().post(ping(v), evilOrigin), 403, -32000, "POST with foreign Origin");
    assertTrue(error.path("message").asText().contains("Origin"), error::toString);
    for (String origin : List.of("null", "http://localhost.evil.example.com", "https://127.0.0.1.evil.example.com:8080")) {
      assertError(v.client().post(ping(v), Map.of("Origin", origin)), 403, -32000, "Origin " + origin);
    }
    // no session is created, no stream opened, nothing deleted
    Reply init = node.client().post(McpTestClient.request(1, "initialize", initializeParams()), evilOrigin);
    assertError(init, 403, -32000, "initialize with foreign Origin");
    assertNull(init.header("mcp-session-id"));
    assertError(send(v.client().base().header("Origin", "http://evil.example.com").header("Accept", SSE).GET().build()),
        403, -32000, "GET");
    assertError(send(v.client().base().header("Origin", "http://evil.example.com").DELETE().build()), 403, -32000,
        "DELETE");

    for (String host : List.of("evil.example.com", "evil.example.com:" + node.endpoint.getPort(), "127.0.0.1.evil.example.com")) {
      JsonNode hostError = assertError(send(v.client().base().setHeader("Host", host).header("Accept", JSON_AND_SSE)
          .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(Json.write(ping(v))))
          .build()), 403, -32000, "Host " + host);
      assertTrue(hostError.path("message").asText().contains("Host"), hostError::toString);
    }
    assertError(send(v.client().base().setHeader("Host", "evil.example.com").DELETE().build()), 403, -32000,
        "DELETE with foreign Host");
    assertUntouched(v);
  }

  @Test
  void loopbackOriginAndNoOriginAreAccepted() {
    Session v = victim();
    int port = node.endpoint.getPort();
    for (String origin : List.of("http://127.0.0.1:" + port, "http://localhost:" + port, "http://[::1]:" + port)) {
      Reply r = v.client().post(ping(v), Map.of("Origin", origin));
      assertEquals(200, r.status(), () -> origin + ": " + r.body());
      assertTrue(sseResponse(r).has("result"), r::body);
    }
    Reply r = v.client().post(ping(v), Map.of());
    assertEquals(200, r.status(), r::body);
    assertTrue(sseResponse(r).has("result"), r::body);
    // Host localhost with a port is an allowed host
    Reply localhost = send(v.client().base().setHeader("Host", "localhost:" + port).header("Accept", JSON_AND_SSE)
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(Json.write(ping(v)))).build());
    assertEquals(200, localhost.status(), localhost::body);
    // a new session with a loopback Origin
    Reply init = node.client().post(McpTestClient.request(1, "initialize", initializeParams()),
        Map.of("Origin", "http://127.0.0.1:" + port));
    assertEquals(200, init.status(), init::body);
    assertNotNull(init.header("mcp-session-id"));
    assertUntouched(v);
  }

  // ------------------------------------------------------------------ JSON-RPC errors on a valid session

  @Test
  void unknownMethodIsAJsonRpcErrorInTheResponse() {
    Session v = victim();
    long id = v.client().nextId();
    try (EventStream s = v.client().stream(McpTestClient.request(id, "no/such_method", null))) {
      assertEquals(200, s.status, () -> s.body);
      JsonNode response = s.response();
      assertRpcError(response, id, -32601);
    }
    assertUntouched(v);
  }

  @Test
  void invalidParamsAreJsonRpcErrorsInTheResponse() {
    Session v = victim();
    record Case(String method, String params, int code) {}
    List<Case> cases = List.of(
        new Case("tools/call", "{}", -32602),
        new Case("tools/call", "{\"name\":7}", -32602),
        new Case("tools/call", "{\"name\":\"no_such_tool\",\"arguments\":{}}", -32602),
        new Case("tools/call", "{\"name\":\"echo\",\"arguments\":[1]}", -32602),
        new Case("logging/setLevel", "{\"level\":\"loud\"}", -32602),
        new Case("logging/setLevel", "{}", -32602),
        new Case("prompts/get", "{\"name\":\"no_such_prompt\"}", -32602),
        new Case("resources/read", "{\"uri\":\"test://no-such-resource\"}", -32002),
        new Case("tools/list", "{\"cursor\":\"not-a-cursor\"}", -32602));
    for (Case c : cases) {
      long id = v.client().nextId();
      try (EventStream s = v.client().stream(McpTestClient.request(id, c.method(), Json.parseObject(c.params())))) {
        assertEquals(200, s.status, () -> c + ": " + s.body);
        assertRpcError(s.response(), id, c.code());
      }
    }
    // the session's state is unchanged: the bad level did not change the log level (info still logs)
    List<JsonNode> logged = v.client().stream(McpTestClient.toolCall(v.client().nextId(), "test_tool_with_logging", null))
        .drain();
    assertEquals(3, logged.stream().filter(m -> "notifications/message".equals(m.path("method").asText())).count());
    assertUntouched(v);
  }

  @Test
  void aResponseToNoPendingRequestIs400AtOnce() {
    Session v = victim();
    List<String> bodies = List.of(
        "{\"jsonrpc\":\"2.0\",\"id\":\"nope\",\"result\":{}}",
        "{\"jsonrpc\":\"2.0\",\"id\":\"nope\",\"error\":{\"code\":-32000,\"message\":\"x\"}}",
        "{\"jsonrpc\":\"2.0\",\"id\":12345,\"result\":{}}");
    for (String body : bodies) {
      long start = System.nanoTime();
      Reply r = v.client().postRaw(body, Map.of());
      Duration took = Duration.ofNanos(System.nanoTime() - start);
      assertError(r, 400, -32600, body);
      assertTrue(took.compareTo(Duration.ofSeconds(2)) < 0, () -> "answered at once, took " + took);
    }
    assertUntouched(v);
  }

  @Test
  void initializeOnAnExistingSessionIs400() {
    Session v = victim();
    Reply r = v.client().post(McpTestClient.request(v.client().nextId(), "initialize", initializeParams()), Map.of());
    assertError(r, 400, -32600, "initialize with Mcp-Session-Id");
    assertNull(r.header("mcp-session-id"), "no new session");
    assertUntouched(v);
  }

  @Test
  void aNotificationIs202WithAnEmptyBody() {
    Session v = victim();
    for (JsonNode n : List.of(McpTestClient.notification("notifications/initialized", null),
        McpTestClient.notification("notifications/cancelled", Json.object().put("requestId", 424242)),
        McpTestClient.notification("notifications/roots/list_changed", null))) {
      Reply r = v.client().post(n, Map.of());
      assertEquals(202, r.status(), r::body);
      assertEquals("", r.body(), "202 has no body");
    }
    assertUntouched(v);
  }

  @Test
  void otherHttpMethodsAre405WithAllow() {
    Session v = victim();
    for (String method : List.of("PUT", "PATCH")) {
      Reply r = send(v.client().base().header("Content-Type", "application/json")
          .method(method, HttpRequest.BodyPublishers.ofString(Json.write(ping(v)))).build());
      assertError(r, 405, -32000, method);
      String allow = r.header("allow");
      assertNotNull(allow, "405 carries Allow");
      for (String m : List.of("GET", "POST", "DELETE")) assertTrue(allow.contains(m), allow);
    }
    assertUntouched(v);
  }

  // ------------------------------------------------------------------ GET streams

  @Test
  void aSecondGetStreamIs409UntilTheFirstDisconnects() {
    McpTestClient c = node.client().initialize();
    EventStream first = open(c.get(null));
    assertEquals(200, first.status, () -> first.body);
    EventStream second = open(c.get(null));
    assertEquals(409, second.status, "second GET while the first is open");
    assertErrorBody(second.body, -32000, "second GET");
    // the first stream is untouched: it still gets the session's notifications
    assertUntouched(new Session(c, first));

    first.close();
    AtomicReference<EventStream> reopened = new AtomicReference<>();
    AtomicReference<String> last = new AtomicReference<>();
    // ~2 keep-alives (1 s here) after the close; bounded generously for a loaded machine
    Eventually.await(Duration.ofSeconds(15), () -> {
      EventStream s = c.get(null);
      if (s.status == 200) {
        reopened.set(open(s));
        return true;
      }
      last.set(s.status + " " + s.body);
      if (s.status != 409) fail("unexpected answer while the old GET stream closes: " + last.get());
      return false;
    }, () -> "a new GET stream after the first disconnected; last answer " + last.get());
    assertUntouched(new Session(c, reopened.get()));
  }

  @Test
  void lastEventIdOfAnotherSessionOrMalformedIs400() {
    Session a = victim();
    Session b = victim();
    // A's stream is still running (a slow tool) while B presents its event ids
    ObjectNode slow = McpTestClient.toolCall(a.client().nextId(), "slow_progress",
        Json.object().put("steps", 4).put("delayMs", 300));
    ((ObjectNode) slow.get("params")).putObject("_meta").put("progressToken", "a-only");
    try (EventStream s = a.client().stream(slow)) {
      assertEquals(200, s.status, () -> s.body);
      Event priming = s.next();
      assertNotNull(priming);
      assertNull(priming.data(), "the priming event has no data");
      String primingId = priming.id();
      s.nextMatching(m -> "notifications/progress".equals(m.path("method").asText()));
      String progressId = s.lastEventId();
      assertNotNull(primingId);
      assertFalse(primingId.equals(progressId));

      for (String id : List.of(primingId, progressId)) {
        EventStream stolen = b.client().get(id);
        assertEquals(400, stolen.status, () -> "B resumed A's stream with " + id);
        JsonNode error = assertErrorBody(stolen.body, -32000, "Last-Event-ID of another session");
        assertFalse(error.toString().contains("a-only"));
      }
      // A's stream was not taken over: A resumes it from the start and gets every event and the result
      try (EventStream resumed = a.client().get(primingId)) {
        assertEquals(200, resumed.status, () -> resumed.body);
        assertEquals("counted to 4", text(resumed.response()));
      }
    }

    // A stream whose response was delivered in full is over: it is not kept for resumption
    String finishedId;
    try (EventStream s = a.client().stream(McpTestClient.toolCall(a.client().nextId(), "echo",
        Json.object().put("text", "delivered")))) {
      assertEquals("delivered", text(s.response()));
      finishedId = s.lastEventId();
    }
    Eventually.await(Duration.ofSeconds(10), () -> a.client().get(finishedId).status == 400,
        "a delivered stream is not resumable");
    // the same for a response that streamed (answered after sse-hold-back)
    String streamedId;
    try (EventStream s = a.client().stream(McpTestClient.toolCall(a.client().nextId(), "slow_progress",
        Json.object().put("steps", 2).put("delayMs", 700)))) {
      assertEquals("counted to 2", text(s.response()));
      streamedId = s.lastEventId();
    }
    Eventually.await(Duration.ofSeconds(10), () -> a.client().get(streamedId).status == 400,
        "a streamed response delivered in full is not resumable");

    // malformed, or naming no stream
    String streamOfNothing = HomedIds.mint(HomedIds.homeUid(b.client().sessionId()).orElseThrow()) + ":1";
    for (String id : List.of("garbage", "abc:def", "abc:-1", ":1", "abc:", streamOfNothing)) {
      EventStream bad = b.client().get(id);
      assertEquals(400, bad.status, () -> "Last-Event-ID " + id);
      assertErrorBody(bad.body, -32000, "Last-Event-ID " + id);
    }
    assertUntouched(a, b);
  }

  // ------------------------------------------------------------------ the untouched checks

  /** The bystander and every victim still answer, and every open GET stream still gets notifications. */
  private void assertUntouched(Session... victims) {
    for (Session v : victims) {
      assertEquals("still here", text(v.client().callTool("echo", Json.object().put("text", "still here"))),
          "the targeted session still works");
    }
    assertEquals("still here", text(bystander.callTool("echo", Json.object().put("text", "still here"))),
        "the bystander still works");
    assertTrue(text(bystander.callTool("add_dynamic_tool", null)).startsWith("added dynamic_tool on 1 node"));
    bystanderGet.nextMatching(m -> LIST_CHANGED.equals(m.path("method").asText()));
    for (Session v : victims) if (v.get() != null) v.get().nextMatching(m -> LIST_CHANGED.equals(m.path("method").asText()));
    assertTrue(text(bystander.callTool("remove_dynamic_tool", null)).startsWith("removed dynamic_tool on 1 node"));
    bystanderGet.nextMatching(m -> LIST_CHANGED.equals(m.path("method").asText()));
    for (Session v : victims) if (v.get() != null) v.get().nextMatching(m -> LIST_CHANGED.equals(m.path("method").asText()));
  }

  // ------------------------------------------------------------------ helpers

  /** A fresh initialized session with its GET stream open. */
  private Session victim() {
    McpTestClient c = node.client().initialize();
    EventStream get = open(c.get(null));
    assertEquals(200, get.status, () -> "victim GET: " + get.body);
    return new Session(c, get);
  }

  private EventStream open(EventStream s) {
    opened.add(s);
    return s;
  }

  private static ObjectNode ping(Session v) {
    return McpTestClient.request(v.client().nextId(), "ping", null);
  }

  private static ObjectNode initializeParams() {
    ObjectNode params = Json.object().put("protocolVersion", "2025-11-25");
    params.putObject("capabilities");
    params.putObject("clientInfo").put("name", "phantom-test").put("version", "1");
    return params;
  }

  /** A tools/call of echo whose JSON is exactly {@code size} bytes (or the smallest one for small sizes). */
  private static String echoBody(Session v, int size) {
    String head = "{\"jsonrpc\":\"2.0\",\"id\":" + v.client().nextId()
        + ",\"method\":\"tools/call\",\"params\":{\"name\":\"echo\",\"arguments\":{\"text\":\"";
    String tail = "\"}}}";
    int fill = Math.max(0, size - head.length() - tail.length());
    return head + "a".repeat(fill) + tail;
  }

  private static HttpRequest.Builder withSession(String sessionId) {
    return HttpRequest.newBuilder(node.endpoint).timeout(Duration.ofSeconds(30))
        .header("Mcp-Session-Id", sessionId).header("MCP-Protocol-Version", "2025-11-25");
  }

  private static Reply post(String sessionId, String body) {
    return send(withSession(sessionId).header("Accept", JSON_AND_SSE).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build());
  }

  /**
   * Sends a request and reads its reply whole, except an SSE reply of a GET, which never ends: that one
   * is closed at once and reported with the body {@code <event stream>} (every caller expects an error).
   */
  private static Reply send(HttpRequest request) {
    try {
      HttpResponse<InputStream> r = HTTP.send(request, HttpResponse.BodyHandlers.ofInputStream());
      String type = r.headers().firstValue("content-type").orElse("");
      String body;
      try (InputStream in = r.body()) {
        body = type.startsWith(SSE) && request.method().equals("GET") ? "<event stream>"
            : new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
      return new Reply(r.statusCode(), r.headers().map(), body);
    } catch (IOException e) {
      throw new AssertionError("HTTP request failed: " + request, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** Asserts the status and that the body is a JSON-RPC error without id with {@code code}; returns the error. */
  private static JsonNode assertError(Reply r, int status, int code) {
    return assertError(r, status, code, "");
  }

  private static JsonNode assertError(Reply r, int status, int code, String what) {
    assertEquals(status, r.status(), () -> what + ": " + r.body());
    String type = r.header("content-type");
    assertTrue(type != null && type.startsWith("application/json"), () -> what + ": content type " + type);
    return assertErrorBody(r.body(), code, what);
  }

  private static JsonNode assertErrorBody(String body, int code, String what) {
    assertNotNull(body, what);
    JsonNode json;
    try {
      json = Json.parse(body);
    } catch (IOException e) {
      throw new AssertionError(what + ": not JSON: " + body);
    }
    assertTrue(json.isObject(), () -> what + ": " + body);
    assertTrue(json.path("id").isNull() || json.path("id").isMissingNode(), () -> what + ": no id: " + body);
    assertFalse(json.has("result"), () -> what + ": " + body);
    assertRpcErrorFields(json, code, what);
    return json.get("error");
  }

  /** A JSON-RPC error response to request {@code id}. */
  private static void assertRpcError(JsonNode response, long id, int code) {
    assertEquals(id, response.path("id").asLong(), response::toString);
    assertTrue(response.path("id").isIntegralNumber(), response::toString);
    assertFalse(response.has("result"), response::toString);
    assertRpcErrorFields(response, code, "response to " + id);
  }

  private static void assertRpcErrorFields(JsonNode json, int code, String what) {
    assertEquals("2.0", json.path("jsonrpc").textValue(), () -> what + ": " + json);
    JsonNode error = json.path("error");
    assertTrue(error.path("code").isInt(), () -> what + ": integer code: " + json);
    assertEquals(code, error.path("code").intValue(), () -> what + ": " + json);
    assertTrue(error.path("message").isTextual() && !error.path("message").textValue().isBlank(),
        () -> what + ": a message: " + json);
    String text = json.toString();
    for (String leak : List.of("Exception", "at dev.phantom", "at akka.", "at java.", "Caused by", "\tat ")) {
      assertFalse(text.contains(leak), () -> what + ": no stack trace (" + leak + "): " + text);
    }
  }

  /** The final JSON-RPC response of an SSE body read whole. */
  private static JsonNode sseResponse(Reply r) {
    String type = r.header("content-type");
    assertTrue(type != null && type.startsWith(SSE), () -> "an SSE reply: " + type + " " + r.body());
    JsonNode response = null;
    for (String line : r.body().split("\n")) {
      if (!line.startsWith("data:")) continue;
      String data = line.substring(5).trim();
      if (data.isEmpty()) continue;
      try {
        JsonNode m = Json.parse(data);
        if (!m.has("method") && (m.has("result") || m.has("error"))) response = m;
      } catch (IOException e) {
        throw new AssertionError("bad SSE data: " + data);
      }
    }
    assertNotNull(response, () -> "a response in " + r.body());
    return response;
  }

  private static String text(JsonNode response) {
    assertNotNull(response.get("result"), () -> "not a result: " + response);
    return response.path("result").path("content").path(0).path("text").asText();
  }
}
