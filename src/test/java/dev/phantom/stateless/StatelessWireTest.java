package dev.phantom.stateless;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.ConfigFactory;
import dev.phantom.mcp.Json;
import dev.phantom.mcp.Tool;
import dev.phantom.mcp.ToolResult;
import dev.phantom.testkit.Eventually;
import dev.phantom.testkit.McpTestClient;
import dev.phantom.testkit.McpTestClient.EventStream;
import dev.phantom.testkit.McpTestClient.Reply;
import dev.phantom.testkit.McpTestNode;
import dev.phantom.testkit.ModernClient;
import dev.phantom.testkit.TestCluster;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The MCP 2026-07-28 wire over real HTTP on one node: {@code server/discover}, the envelope and header
 * rules with their HTTP statuses and codes, removed methods, the result envelope, logs and progress on
 * the request's own stream, cancellation by closing that stream, and a 2025-11-25 session served by the
 * same endpoint at the same time.
 */
class StatelessWireTest {
  /** A test-only tool: waits (at most {@link #WAIT_CAP}) until its request is cancelled, and records that. */
  private static final String WAIT_TOOL = "test_wait_for_cancel";
  private static final Duration WAIT_CAP = Duration.ofSeconds(15);
  private static final Set<String> STARTED = ConcurrentHashMap.newKeySet();
  private static final Set<String> CANCELLED = ConcurrentHashMap.newKeySet();

  private static TestCluster cluster;
  private static McpTestNode node;
  private static ModernClient client;

  @BeforeAll
  static void start() {
    // A client that closed its connection is noticed at the next write: keep-alives every half second
    // make the cancellation test quick (the default, 10 s, would take up to 20 s).
    cluster = TestCluster.start(1, ConfigFactory.parseString("phantom.mcp.sse-keep-alive = 500ms"));
    node = McpTestNode.serve(cluster.node(0)).awaitReady();
    node.server.addToolOnThisNode(Tool.builder(WAIT_TOOL).description("Waits until cancelled (test only)")
        .inputSchema("{\"type\":\"object\",\"properties\":{\"key\":{\"type\":\"string\"}},\"required\":[\"key\"]}")
        .handler((args, ctx) -> {
          String key = args.path("key").asText();
          CompletableFuture<ToolResult> done = new CompletableFuture<>();
          ctx.onCancel(() -> {
            CANCELLED.add(key);
            done.complete(ToolResult.text("cancelled"));
          });
          STARTED.add(key);
          ctx.progress(1, null, "waiting for the cancellation");
          return done.completeOnTimeout(ToolResult.text("not cancelled"), WAIT_CAP.toSeconds(), TimeUnit.SECONDS);
        }).build(), false);
    client = ModernClient.at(node.endpoint);
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  // ------------------------------------------------------------------ server/discover

  @Test
  void discoverDescribesTheServerWithoutASession() {
    ObjectNode request = client.request("server/discover", null);
    Reply reply = client.post(request, ModernClient.headersFor(request));
    assertEquals(200, reply.status(), reply.body());
    assertTrue(reply.header("content-type").startsWith("application/json"), reply.header("content-type"));
    assertNull(reply.header("mcp-session-id"), "no session on the stateless wire");
    JsonNode message = reply.json();
    assertEquals(request.get("id"), message.get("id"));
    JsonNode result = message.path("result");
    List<String> versions = texts(result.path("supportedVersions"));
    assertTrue(versions.contains("2026-07-28"), versions::toString);
    assertTrue(versions.contains("2025-11-25"), versions::toString);
    JsonNode caps = result.path("capabilities");
    assertTrue(caps.path("tools").isObject(), caps::toString);
    assertTrue(caps.path("prompts").isObject(), caps::toString);
    assertTrue(caps.path("resources").isObject(), caps::toString);
    assertFalse(caps.path("resources").has("subscribe"), "no resources/subscribe in 2026-07-28: " + caps);
    assertFalse(caps.has("logging"), "no logging/setLevel in 2026-07-28: " + caps);
    assertEquals("complete", result.path("resultType").asText());
    assertTrue(result.path("ttlMs").isIntegralNumber() && result.path("ttlMs").asLong() > 0, result::toString);
    assertEquals("public", result.path("cacheScope").asText());
    JsonNode info = result.path("_meta").path(ModernClient.META_SERVER_INFO);
    assertEquals("phantom-demo", info.path("name").asText(), result::toString);
    assertFalse(info.path("version").asText().isEmpty(), result::toString);
  }

  // ------------------------------------------------------------------ the envelope

  @Test
  void aMissingEnvelopeFieldIsInvalidParams() {
    Map<String, Consumer<ObjectNode>> breaks = new LinkedHashMap<>();
    breaks.put("no _meta", params -> params.remove("_meta"));
    breaks.put("no protocolVersion", params -> params.with("_meta").remove(ModernClient.META_VERSION));
    breaks.put("no clientCapabilities", params -> params.with("_meta").remove(ModernClient.META_CAPABILITIES));
    for (var e : breaks.entrySet()) {
      ObjectNode request = client.request(ModernClient.id("envelope-" + e.getKey()), "tools/list", null);
      Map<String, String> headers = ModernClient.headersFor(request);
      e.getValue().accept((ObjectNode) request.get("params"));
      assertError(client.post(request, headers), 400, -32602, request.get("id"), e.getKey());
    }
  }

  @Test
  void anUnsupportedVersionIsRefusedWithTheSupportedOnes() {
    List<String> advertised = texts(client.call("server/discover", null).path("result").path("supportedVersions"));
    ObjectNode request = client.request("tools/list", null);
    request.with("params").with("_meta").put(ModernClient.META_VERSION, "2099-01-01");
    Map<String, String> headers = ModernClient.headersFor(request);
    assertEquals("2099-01-01", headers.get("MCP-Protocol-Version"));
    JsonNode error = assertError(client.post(request, headers), 400, -32022, request.get("id"), "unsupported version");
    List<String> supported = texts(error.path("data").path("supported"));
    assertFalse(supported.isEmpty(), error::toString);
    assertTrue(advertised.containsAll(supported), () -> supported + " not within " + advertised);
    assertTrue(supported.contains("2026-07-28"), supported::toString);
    assertEquals("2099-01-01", error.path("data").path("requested").asText());
  }

  // ------------------------------------------------------------------ the headers

  @Test
  void theVersionHeaderMustBeThereAndMatchTheEnvelope() {
    ObjectNode request = client.request("tools/list", null);
    Map<String, String> missing = new HashMap<>(ModernClient.headersFor(request));
    missing.remove("MCP-Protocol-Version");
    assertError(client.post(request, missing), 400, -32020, request.get("id"), "version header missing");
    Map<String, String> other = new HashMap<>(ModernClient.headersFor(request));
    other.put("MCP-Protocol-Version", "2025-11-25");
    assertError(client.post(request, other), 400, -32020, request.get("id"), "version header differs");
  }

  @Test
  void mcpMethodMustBeThereAndMatchTheBody() {
    ObjectNode request = client.request(ModernClient.id("method-check"), "tools/list", null);
    Map<String, String> wrong = new HashMap<>(ModernClient.headersFor(request));
    wrong.put("Mcp-Method", "tools/call");
    assertError(client.post(request, wrong), 400, -32020, request.get("id"), "Mcp-Method differs");
    Map<String, String> missing = new HashMap<>(ModernClient.headersFor(request));
    missing.remove("Mcp-Method");
    assertError(client.post(request, missing), 400, -32020, request.get("id"), "Mcp-Method missing");
  }

  @Test
  void mcpNameMustMatchTheBodyAndMayBeBase64() {
    ObjectNode call = client.toolCall("echo", Json.object().put("text", "named"));
    Map<String, String> wrong = new HashMap<>(ModernClient.headersFor(call));
    wrong.put("Mcp-Name", "test_simple_text");
    assertError(client.post(call, wrong), 400, -32020, call.get("id"), "Mcp-Name differs");
    Map<String, String> missing = new HashMap<>(ModernClient.headersFor(call));
    missing.remove("Mcp-Name");
    assertError(client.post(call, missing), 400, -32020, call.get("id"), "Mcp-Name missing");

    Map<String, String> encoded = new HashMap<>(ModernClient.headersFor(call));
    encoded.put("Mcp-Name", "=?base64?" + base64("echo") + "?=");
    Reply ok = client.post(call, encoded);
    assertEquals(200, ok.status(), ok.body());
    assertEquals("named", text(ok.json()));

    Map<String, String> encodedOther = new HashMap<>(ModernClient.headersFor(call));
    encodedOther.put("Mcp-Name", "=?base64?" + base64("ech0") + "?=");
    assertError(client.post(call, encodedOther), 400, -32020, call.get("id"), "base64 Mcp-Name differs");

    ObjectNode read = client.request("resources/read", Json.object().put("uri", "test://static-text"));
    Map<String, String> wrongUri = new HashMap<>(ModernClient.headersFor(read));
    wrongUri.put("Mcp-Name", "test://static-binary");
    assertError(client.post(read, wrongUri), 400, -32020, read.get("id"), "Mcp-Name differs from the uri");
  }

  @Test
  void mcpParamHeadersMustMatchTheirArguments() {
    ObjectNode call = client.toolCall("test_mcp_param_header", Json.object().put("region", "eu-west-1"));
    Map<String, String> right = new HashMap<>(ModernClient.headersFor(call));
    right.put("Mcp-Param-Region", "eu-west-1");
    Reply ok = client.post(call, right);
    assertEquals(200, ok.status(), ok.body());
    assertEquals("region=eu-west-1", text(ok.json()));

    Map<String, String> wrong = new HashMap<>(right);
    wrong.put("Mcp-Param-Region", "us-east-1");
    assertError(client.post(call, wrong), 400, -32020, call.get("id"), "Mcp-Param-Region differs");
    assertError(client.post(call, ModernClient.headersFor(call)), 400, -32020, call.get("id"), "Mcp-Param-Region missing");
  }

  @Test
  void anUndeclaredCapabilityIsRefusedWithTheOneNeeded() {
    ModernClient noSampling = client.declaring(Json.parseObject("{\"elicitation\":{\"form\":{}}}"));
    ObjectNode call = noSampling.toolCall("test_missing_capability", null);
    JsonNode error = assertError(noSampling.post(call, ModernClient.headersFor(call)), 400, -32021, call.get("id"),
        "sampling not declared");
    assertTrue(error.path("data").path("requiredCapabilities").path("sampling").isObject(), error::toString);

    // declared: the tool asks the question instead
    JsonNode asked = client.callTool("test_missing_capability", null).path("result");
    assertEquals("input_required", asked.path("resultType").asText(), asked::toString);
    assertEquals("sampling/createMessage", asked.path("inputRequests").path("hello").path("method").asText(), asked::toString);
  }

  @Test
  void removedAndUnknownMethodsAreNotFound() {
    Map<String, ObjectNode> methods = new LinkedHashMap<>();
    methods.put("initialize", Json.parseObject(
        "{\"protocolVersion\":\"2025-11-25\",\"capabilities\":{},\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}"));
    methods.put("ping", null);
    methods.put("logging/setLevel", Json.object().put("level", "debug"));
    methods.put("resources/subscribe", Json.object().put("uri", "test://watched-resource"));
    methods.put("resources/unsubscribe", Json.object().put("uri", "test://watched-resource"));
    methods.put("no/such/method", null);
    for (var m : methods.entrySet()) {
      ObjectNode request = client.request(ModernClient.id("removed-" + m.getKey()), m.getKey(), m.getValue());
      Reply reply = client.post(request, ModernClient.headersFor(request));
      assertError(reply, 404, -32601, request.get("id"), m.getKey());
      assertNull(reply.header("mcp-session-id"), m.getKey());
    }
  }

  @Test
  void anUnknownResourceIsInvalidParamsNamingItsUri() {
    ObjectNode read = client.request("resources/read", Json.object().put("uri", "test://no-such-resource"));
    JsonNode error = assertError(client.post(read, ModernClient.headersFor(read)), 200, -32602, read.get("id"), "not found");
    assertEquals("test://no-such-resource", error.path("data").path("uri").asText(), error::toString);
  }

  // ------------------------------------------------------------------ the result envelope

  @Test
  void everyResultHasAResultTypeAndTheServerInfo() {
    Map<String, ObjectNode> requests = new LinkedHashMap<>();
    requests.put("server/discover", null);
    requests.put("tools/list", null);
    requests.put("prompts/list", null);
    requests.put("resources/list", null);
    requests.put("resources/templates/list", null);
    requests.put("resources/read", Json.object().put("uri", "test://static-text"));
    requests.put("prompts/get", Json.object().put("name", "test_simple_prompt"));
    requests.put("completion/complete", Json.parseObject(
        "{\"ref\":{\"type\":\"ref/prompt\",\"name\":\"test_prompt_with_arguments\"},\"argument\":{\"name\":\"arg1\",\"value\":\"te\"}}"));
    requests.put("tools/call", Json.parseObject("{\"name\":\"echo\",\"arguments\":{\"text\":\"x\"}}"));
    for (var r : requests.entrySet()) {
      JsonNode response = client.call(r.getKey(), r.getValue());
      JsonNode result = response.path("result");
      assertTrue(result.isObject(), () -> r.getKey() + ": " + response);
      assertEquals("complete", result.path("resultType").asText(), () -> r.getKey() + ": " + result);
      assertEquals("phantom-demo", result.path("_meta").path(ModernClient.META_SERVER_INFO).path("name").asText(),
          () -> r.getKey() + ": " + result);
    }
  }

  @Test
  void listsAndReadsCarryCachingHints() {
    for (String list : List.of("tools/list", "prompts/list", "resources/list", "resources/templates/list")) {
      JsonNode result = client.call(list, null).path("result");
      assertTrue(result.path("ttlMs").isIntegralNumber() && result.path("ttlMs").asLong() > 0, () -> list + ": " + result);
      assertEquals("public", result.path("cacheScope").asText(), () -> list + ": " + result);
    }
    JsonNode read = client.call("resources/read", Json.object().put("uri", "test://static-text")).path("result");
    assertEquals("This is the content of the static text resource.", read.path("contents").path(0).path("text").asText());
    assertTrue(read.path("ttlMs").isIntegralNumber(), read::toString);
    assertEquals(0, read.path("ttlMs").asLong(), "a read is not cached: " + read);
    assertTrue(read.path("cacheScope").isTextual(), read::toString);
  }

  // ------------------------------------------------------------------ the request's own stream

  @Test
  void logsAreSentOnlyWhenTheRequestAsksForALevel() {
    try (ModernClient.Exchange quiet = client.open(client.toolCall("test_logging_tool", null))) {
      assertEquals(200, quiet.status);
      List<JsonNode> messages = quiet.drain();
      assertTrue(messages.stream().noneMatch(m -> isMethod(m, "notifications/message")), messages::toString);
      assertEquals("Logging evaluated", text(messages.get(messages.size() - 1)));
    }
    ObjectNode above = client.toolCall("test_logging_tool", null);
    above.with("params").with("_meta").put(ModernClient.META_LOG_LEVEL, "warning");
    try (ModernClient.Exchange filtered = client.open(above)) {
      List<JsonNode> messages = filtered.drain();
      assertTrue(messages.stream().noneMatch(m -> isMethod(m, "notifications/message")), "info is below warning: " + messages);
    }
    ObjectNode asked = client.toolCall("test_logging_tool", null);
    asked.with("params").with("_meta").put(ModernClient.META_LOG_LEVEL, "info");
    try (ModernClient.Exchange loud = client.open(asked)) {
      assertTrue(loud.isStream(), "a log makes the response a stream: " + loud.contentType);
      List<JsonNode> messages = loud.drain();
      List<JsonNode> logs = messages.stream().filter(m -> isMethod(m, "notifications/message")).toList();
      assertEquals(1, logs.size(), messages::toString);
      assertEquals("info", logs.get(0).path("params").path("level").asText());
      assertEquals("Diagnostic trace logging activated", logs.get(0).path("params").path("data").asText());
      JsonNode last = messages.get(messages.size() - 1);
      assertEquals(asked.get("id"), last.get("id"));
      assertEquals("Logging evaluated", text(last));
    }
  }

  @Test
  void progressGoesOnTheRequestsOwnStream() {
    ObjectNode call = client.toolCall("slow_progress", Json.object().put("steps", 3).put("delayMs", 20));
    call.with("params").with("_meta").put("progressToken", "p-own");
    try (ModernClient.Exchange s = client.open(call)) {
      assertTrue(s.isStream(), s.contentType);
      List<JsonNode> messages = s.drain();
      List<JsonNode> progress = messages.stream().filter(m -> isMethod(m, "notifications/progress")).toList();
      assertEquals(List.of(1.0, 2.0, 3.0), progress.stream().map(m -> m.path("params").path("progress").asDouble()).toList());
      assertTrue(progress.stream().allMatch(m -> m.path("params").path("progressToken").asText().equals("p-own")), progress::toString);
      JsonNode last = messages.get(messages.size() - 1);
      assertEquals(call.get("id"), last.get("id"));
      assertEquals("counted to 3", text(last));
      assertEquals("complete", last.path("result").path("resultType").asText());
    }
    // no token: no progress, and a quick result is one JSON body
    try (ModernClient.Exchange s = client.open(client.toolCall("slow_progress", Json.object().put("steps", 2).put("delayMs", 5)))) {
      assertTrue(s.isJson(), s.contentType);
      List<JsonNode> messages = s.drain();
      assertEquals(1, messages.size(), messages::toString);
      assertEquals("counted to 2", text(messages.get(0)));
    }
  }

  @Test
  void closingTheResponseStreamCancelsTheRequest() {
    String key = "close-" + System.nanoTime();
    ObjectNode call = client.toolCall(WAIT_TOOL, Json.object().put("key", key));
    call.with("params").with("_meta").put("progressToken", key);
    try (ModernClient.Exchange s = client.open(call)) {
      JsonNode first = s.next();
      assertNotNull(first, "the stream ended at once");
      assertTrue(isMethod(first, "notifications/progress"), first::toString);
      assertTrue(STARTED.contains(key));
      assertFalse(CANCELLED.contains(key), "cancelled before the stream was closed");
    }
    long took = Eventually.timeUntil(Duration.ofSeconds(10), () -> CANCELLED.contains(key),
        "the request cancelled once its stream closed");
    System.out.println("cancelled " + Duration.ofNanos(took).toMillis() + " ms after the stream was closed");
  }

  // ------------------------------------------------------------------ both eras on one endpoint

  @Test
  void aSessionOfTheOldRevisionWorksAtTheSameTime() {
    McpTestClient session = node.client().initialize();
    ObjectNode slow = McpTestClient.toolCall(session.nextId(), "slow_progress", Json.object().put("steps", 4).put("delayMs", 60));
    ((ObjectNode) slow.get("params")).putObject("_meta").put("progressToken", "old-era");
    try (EventStream running = session.stream(slow)) {
      assertEquals(200, running.status, running.body);
      JsonNode firstProgress = running.nextMatching(m -> isMethod(m, "notifications/progress"));
      assertEquals("old-era", firstProgress.path("params").path("progressToken").asText());

      // while the session's request runs: modern requests, then a session request, on the same node
      ObjectNode modern = client.toolCall("echo", Json.object().put("text", "modern"));
      Reply modernReply = client.post(modern, ModernClient.headersFor(modern));
      assertEquals(200, modernReply.status(), modernReply.body());
      assertEquals("modern", text(modernReply.json()));
      assertNull(modernReply.header("mcp-session-id"));
      assertEquals("old", text(session.callTool("echo", Json.object().put("text", "old"))));
      JsonNode list = session.call("tools/list", null).path("result");
      assertFalse(list.has("resultType"), "a session result has no 2026-07-28 envelope: " + list.path("resultType"));

      List<JsonNode> rest = running.drain();
      assertEquals("counted to 4", text(rest.get(rest.size() - 1)));
    }
    assertEquals(200, session.delete().status());
  }

  @Test
  void initializeIsTheOldHandshakeUnlessItCarriesTheModernEnvelope() {
    McpTestClient old = node.client();
    ObjectNode params = Json.parseObject(
        "{\"protocolVersion\":\"2025-11-25\",\"capabilities\":{},\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}");
    Reply handshake = old.post(McpTestClient.request(old.nextId(), "initialize", params), Map.of());
    assertEquals(200, handshake.status(), handshake.body());
    assertNotNull(handshake.header("mcp-session-id"), handshake.headers()::toString);
    JsonNode result = parseSseOrJson(handshake).path("result");
    assertEquals("2025-11-25", result.path("protocolVersion").asText(), result::toString);

    ObjectNode modern = client.request(ModernClient.id("modern-initialize"), "initialize", params);
    Reply refused = client.post(modern, ModernClient.headersFor(modern));
    assertError(refused, 404, -32601, modern.get("id"), "initialize with the modern _meta");
    assertNull(refused.header("mcp-session-id"));
  }

  // ------------------------------------------------------------------ helpers

  /** The JSON-RPC error of {@code reply}, checked: HTTP status, code, and the request's id echoed. */
  private static JsonNode assertError(Reply reply, int status, int code, JsonNode id, String what) {
    assertEquals(status, reply.status(), () -> what + ": " + reply.body());
    JsonNode message = reply.json();
    assertEquals(code, message.path("error").path("code").asInt(), () -> what + ": " + message);
    assertEquals(id, message.get("id"), () -> what + ": the id is echoed: " + message);
    assertFalse(message.has("result"), () -> what + ": " + message);
    return message.path("error");
  }

  /** A 2025 reply's message, whether it came as JSON or as one SSE event. */
  private static JsonNode parseSseOrJson(Reply reply) {
    String body = reply.body().trim();
    if (body.startsWith("{")) return reply.json();
    for (String line : body.split("\n")) {
      if (line.startsWith("data:")) {
        try {
          return Json.parse(line.substring(5).trim());
        } catch (java.io.IOException e) {
          throw new AssertionError("bad SSE data: " + line);
        }
      }
    }
    throw new AssertionError("no message in " + body);
  }

  private static String text(JsonNode response) {
    assertNotNull(response.get("result"), () -> "not a result: " + response);
    return response.path("result").path("content").path(0).path("text").asText();
  }

  private static boolean isMethod(JsonNode m, String method) {
    return method.equals(m.path("method").asText());
  }

  private static List<String> texts(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(v -> out.add(v.asText()));
    return out;
  }

  private static String base64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }
}
