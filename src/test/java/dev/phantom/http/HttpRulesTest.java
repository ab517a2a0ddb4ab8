package dev.phantom.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.phantom.mcp.Json;
import dev.phantom.testkit.McpTestClient;
import dev.phantom.testkit.McpTestClient.EventStream;
import dev.phantom.testkit.McpTestClient.Reply;
import dev.phantom.testkit.McpTestNode;
import dev.phantom.testkit.TestCluster;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every bad-input rule of docs/http-errors.md over real HTTP: the status, a JSON-RPC error body without
 * internals, and no effect on any other session (a bystander session with an open GET stream keeps
 * working after every rule).
 */
class HttpRulesTest {
  private static TestCluster cluster;
  private static McpTestNode node;
  private static McpTestClient bystander;
  private static EventStream bystanderGet;

  @BeforeAll
  static void start() {
    cluster = TestCluster.start(1);
    node = McpTestNode.serve(cluster.node(0));
    bystander = node.client().initialize();
    bystanderGet = bystander.get(null);
    assertEquals(200, bystanderGet.status);
  }

  @AfterAll
  static void stop() {
    bystanderGet.close();
    cluster.close();
  }

  /** After every rule: the bystander session still calls tools and still gets notifications on its GET stream. */
  @AfterEach
  void bystanderIsUntouched() {
    assertEquals("still here", bystander.callTool("echo", Json.object().put("text", "still here"))
        .path("result").path("content").path(0).path("text").asText());
    bystander.callTool("notify_prompt_list", null);
    bystanderGet.nextMatching(m -> "notifications/prompts/list_changed".equals(m.path("method").asText()));
  }

  private static void assertError(Reply r, int status, int code) {
    assertEquals(status, r.status(), r::body);
    JsonNode body = r.json();
    assertEquals("2.0", body.path("jsonrpc").asText());
    assertEquals(code, body.path("error").path("code").asInt(), r::body);
    assertFalse(body.path("error").path("message").asText().isEmpty());
    assertFalse(r.body().contains("Exception") || r.body().contains("at dev.phantom") || r.body().contains("at akka."),
        () -> "internals leaked: " + r.body());
  }

  private static String ping(long id) {
    return Json.write(McpTestClient.request(id, "ping", null));
  }

  private static JsonNode rpcError(McpTestClient c, String method, JsonNode params) {
    JsonNode response = c.call(method, params);
    assertNotNull(response.get("error"), response::toString);
    return response.get("error");
  }

  @Test
  void acceptMustListJsonAndEventStream() {
    McpTestClient c = node.client().initialize();
    assertError(c.send(c.base().header("Accept", "application/json").header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(ping(1))).build()), 406, -32000);
    assertError(c.send(c.base().header("Accept", "application/json").GET().build()), 406, -32000);
    assertTrue(c.call("ping", null).has("result"), "the session is unaffected");
  }

  @Test
  void contentTypeMustBeJson() {
    McpTestClient c = node.client().initialize();
    assertError(c.send(c.base().header("Accept", "application/json, text/event-stream").header("Content-Type", "text/plain")
        .POST(HttpRequest.BodyPublishers.ofString(ping(1))).build()), 415, -32000);
  }

  @Test
  void malformedJsonIsAParseError() {
    McpTestClient c = node.client().initialize();
    assertError(c.postRaw("{\"jsonrpc\":\"2.0\",", Map.of()), 400, -32700);
    assertError(c.postRaw("", Map.of()), 400, -32700);
  }

  @Test
  void aBodyThatIsNotAnObjectIsInvalid() {
    McpTestClient c = node.client().initialize();
    assertError(c.postRaw("42", Map.of()), 400, -32600);
    assertError(c.postRaw("\"ping\"", Map.of()), 400, -32600);
    assertError(c.postRaw("{\"id\":1,\"method\":\"ping\"}", Map.of()), 400, -32600);
  }

  @Test
  void batchesAreRefusedWithAClearError() {
    McpTestClient c = node.client().initialize();
    Reply r = c.postRaw("[" + ping(1) + "," + ping(2) + "]", Map.of());
    assertError(r, 400, -32600);
    assertTrue(r.json().path("error").path("message").asText().contains("batch"));
  }

  @Test
  void oversizedBodiesAreRefused() {
    McpTestClient c = node.client().initialize();
    String big = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\",\"params\":{\"pad\":\"" + "x".repeat(1_100_000) + "\"}}";
    assertError(c.postRaw(big, Map.of()), 413, -32600);
  }

  @Test
  void unsupportedProtocolVersionHeader() {
    McpTestClient c = node.client().initialize();
    Reply r = c.postRaw(ping(5), Map.of("MCP-Protocol-Version", "1999-01-01"));
    assertError(r, 400, -32000);
    assertTrue(r.json().path("error").path("message").asText().contains("2025-11-25"));
    assertEquals(200, c.postRaw(ping(6), Map.of("MCP-Protocol-Version", "2025-03-26")).status(), "any supported version");
  }

  @Test
  void missingUnknownAndTerminatedSessions() {
    McpTestClient anonymous = new McpTestClient(node.endpoint);
    assertError(anonymous.postRaw(ping(1), Map.of()), 400, -32000);
    assertError(anonymous.postRaw(ping(1), Map.of("Mcp-Session-Id", "no-such-session")), 404, -32001);
    McpTestClient c = node.client().initialize();
    assertEquals(200, c.delete().status());
    assertError(c.postRaw(ping(2), Map.of()), 404, -32001);
    assertError(c.send(c.base().header("Accept", "text/event-stream").GET().build()), 404, -32001);
    assertError(c.delete(), 404, -32001);
  }

  @Test
  void foreignOriginsAndHostsAreForbidden() {
    McpTestClient c = node.client().initialize();
    assertError(c.postRaw(ping(1), Map.of("Origin", "http://evil.example.com")), 403, -32000);
    assertError(c.postRaw(ping(2), Map.of("Host", "evil.example.com")), 403, -32000);
    int port = node.endpoint.getPort();
    assertEquals(200, c.postRaw(ping(3), Map.of("Origin", "http://127.0.0.1:" + port)).status(), "a loopback origin");
    assertEquals(200, c.postRaw(ping(4), Map.of("Origin", "http://localhost:" + port, "Host", "localhost:" + port)).status());
    assertEquals(200, c.postRaw(ping(5), Map.of()).status(), "no Origin (not a browser)");
  }

  @Test
  void unknownMethodsAndInvalidParamsAreJsonRpcErrors() {
    McpTestClient c = node.client().initialize();
    assertEquals(-32601, rpcError(c, "tools/frobnicate", null).path("code").asInt());
    assertEquals(-32602, rpcError(c, "tools/call", Json.object()).path("code").asInt());
    assertEquals(-32602, rpcError(c, "tools/call", Json.object().put("name", "no_such_tool")).path("code").asInt());
    assertEquals(-32602, rpcError(c, "logging/setLevel", Json.object().put("level", "loud")).path("code").asInt());
    assertEquals(-32602, rpcError(c, "prompts/get", Json.object().put("name", "test_prompt_with_arguments")).path("code").asInt());
    assertEquals(-32002, rpcError(c, "resources/read", Json.object().put("uri", "test://nothing-here")).path("code").asInt());
    assertTrue(c.call("ping", null).has("result"), "the session is unaffected");
  }

  @Test
  void aResponseToAnUnknownServerRequestIsRefusedAtOnce() {
    McpTestClient c = node.client().initialize();
    long started = System.nanoTime();
    assertError(c.postRaw("{\"jsonrpc\":\"2.0\",\"id\":\"nope\",\"result\":{}}", Map.of()), 400, -32600);
    assertError(c.postRaw("{\"jsonrpc\":\"2.0\",\"id\":7,\"error\":{\"code\":1,\"message\":\"x\"}}", Map.of()), 400, -32600);
    assertTrue(System.nanoTime() - started < Duration.ofSeconds(2).toNanos(), "no polling before refusing");
  }

  @Test
  void oneGetStreamPerSession() {
    McpTestClient c = node.client().initialize();
    try (EventStream first = c.get(null)) {
      assertEquals(200, first.status);
      assertError(c.send(c.base().header("Accept", "text/event-stream").GET().build()), 409, -32000);
    }
  }

  @Test
  void lastEventIdOfAnotherSessionOrMalformed() {
    McpTestClient owner = node.client().initialize();
    String foreignEventId;
    try (EventStream s = owner.stream(McpTestClient.toolCall(owner.nextId(), "echo", Json.object().put("text", "x")))) {
      s.response();
      foreignEventId = s.lastEventId();
    }
    McpTestClient intruder = node.client().initialize();
    assertError(intruder.send(intruder.base().header("Accept", "text/event-stream")
        .header("Last-Event-ID", foreignEventId).GET().build()), 400, -32000);
    assertError(intruder.send(intruder.base().header("Accept", "text/event-stream")
        .header("Last-Event-ID", "garbage").GET().build()), 400, -32000);
    // the owner can still resume its own stream
    try (EventStream own = owner.get(foreignEventId)) {
      assertEquals(200, own.status);
    }
  }

  @Test
  void otherMethodsAreNotAllowed() {
    McpTestClient c = node.client().initialize();
    Reply r = c.send(c.base().PUT(HttpRequest.BodyPublishers.ofString(ping(1))).build());
    assertError(r, 405, -32000);
    assertNotNull(r.header("Allow"));
  }

  @Test
  void initializeOnAnExistingSessionIsInvalid() {
    McpTestClient c = node.client().initialize();
    JsonNode init = McpTestClient.request(99, "initialize", Json.parseObject(
        "{\"protocolVersion\":\"2025-11-25\",\"capabilities\":{},\"clientInfo\":{\"name\":\"x\",\"version\":\"1\"}}"));
    assertError(c.post(init, Map.of()), 400, -32600);
    assertTrue(c.call("ping", null).has("result"));
  }

  @Test
  void notificationsAreAcceptedWithoutABody() {
    McpTestClient c = node.client().initialize();
    Reply r = c.post(McpTestClient.notification("notifications/initialized", null), Map.of());
    assertEquals(202, r.status());
    assertTrue(r.body().isEmpty());
  }
}
