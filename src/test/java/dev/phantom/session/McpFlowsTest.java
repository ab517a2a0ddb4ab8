package dev.phantom.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.phantom.mcp.Json;
import dev.phantom.testkit.McpTestClient;
import dev.phantom.testkit.McpTestClient.EventStream;
import dev.phantom.testkit.McpTestNode;
import dev.phantom.testkit.TestCluster;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The MCP flows on one node over real HTTP: elicitation, sampling, ping, cancellation, progress, logging, resumption, notifications. */
class McpFlowsTest {
  private static TestCluster cluster;
  private static McpTestNode node;

  @BeforeAll
  static void start() {
    cluster = TestCluster.start(1);
    node = McpTestNode.serve(cluster.node(0));
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  private static McpTestClient client() {
    return node.client().initialize();
  }

  private static String text(JsonNode response) {
    assertNotNull(response.get("result"), () -> "not a result: " + response);
    return response.path("result").path("content").path(0).path("text").asText();
  }

  private static JsonNode answer(McpTestClient c, JsonNode serverRequest, String resultJson) {
    ObjectNode reply = Json.object().put("jsonrpc", "2.0");
    reply.set("id", serverRequest.get("id"));
    reply.set("result", Json.parseObject(resultJson));
    McpTestClient.Reply r = c.post(reply, Map.of());
    assertEquals(202, r.status(), r.body());
    return reply;
  }

  private static boolean isMethod(JsonNode m, String method) {
    return method.equals(m.path("method").asText());
  }

  @Test
  void formElicitationAnswersReachTheTool() {
    McpTestClient c = client();
    Map<String, String> answers = Map.of(
        "{\"action\":\"accept\",\"content\":{\"name\":\"Ada\"}}", "action=accept, content={\"name\":\"Ada\"}",
        "{\"action\":\"decline\"}", "action=decline",
        "{\"action\":\"cancel\"}", "action=cancel");
    for (var e : answers.entrySet()) {
      try (EventStream s = c.stream(McpTestClient.toolCall(c.nextId(), "form_elicitation", null))) {
        JsonNode ask = s.nextMatching(m -> isMethod(m, "elicitation/create"));
        assertEquals("form", ask.path("params").path("mode").asText());
        answer(c, ask, e.getKey());
        assertTrue(text(s.response()).startsWith(e.getValue()), () -> "for " + e.getKey());
      }
    }
    try (EventStream s = c.stream(McpTestClient.toolCall(c.nextId(), "form_elicitation", null))) {
      JsonNode ask = s.nextMatching(m -> isMethod(m, "elicitation/create"));
      ObjectNode error = Json.object().put("jsonrpc", "2.0");
      error.set("id", ask.get("id"));
      error.putObject("error").put("code", -32000).put("message", "the user closed the dialog");
      assertEquals(202, c.post(error, Map.of()).status());
      assertTrue(text(s.response()).startsWith("action=error"), "a client error answer reaches the tool");
    }
  }

  @Test
  void anAnsweredIdCannotBeAnsweredTwice() {
    McpTestClient c = client();
    try (EventStream s = c.stream(McpTestClient.toolCall(c.nextId(), "form_elicitation", null))) {
      JsonNode ask = s.nextMatching(m -> isMethod(m, "elicitation/create"));
      JsonNode reply = answer(c, ask, "{\"action\":\"decline\"}");
      s.response();
      assertEquals(400, c.post(reply, Map.of()).status());
    }
  }

  @Test
  void elicitationWithoutTheCapabilityIsReportedToTheTool() {
    McpTestClient c = node.client().initialize(Json.object());
    assertTrue(text(c.callTool("form_elicitation", null)).startsWith("action=not_supported"));
    assertTrue(c.callTool("test_sampling", Json.object().put("prompt", "x")).path("result").path("isError").asBoolean());
  }

  @Test
  void samplingAndPingAreAnsweredByTheClient() {
    McpTestClient c = client();
    try (EventStream s = c.stream(McpTestClient.toolCall(c.nextId(), "test_sampling", Json.object().put("prompt", "hi")))) {
      JsonNode ask = s.nextMatching(m -> isMethod(m, "sampling/createMessage"));
      assertEquals("hi", ask.path("params").path("messages").path(0).path("content").path("text").asText());
      answer(c, ask, "{\"role\":\"assistant\",\"content\":{\"type\":\"text\",\"text\":\"hello there\"},\"model\":\"m\"}");
      assertEquals("LLM response: hello there", text(s.response()));
    }
    try (EventStream s = c.stream(McpTestClient.toolCall(c.nextId(), "ping_client", null))) {
      JsonNode ping = s.nextMatching(m -> isMethod(m, "ping"));
      answer(c, ping, "{}");
      assertEquals("client answered", text(s.response()));
    }
  }

  @Test
  void urlElicitationCompletionReachesTheGetStream() {
    McpTestClient c = client();
    try (EventStream get = c.get(null)) {
      String elicitationId;
      try (EventStream s = c.stream(McpTestClient.toolCall(c.nextId(), "url_elicitation", null))) {
        JsonNode ask = s.nextMatching(m -> isMethod(m, "elicitation/create"));
        assertEquals("url", ask.path("params").path("mode").asText());
        elicitationId = ask.path("params").path("elicitationId").asText();
        answer(c, ask, "{\"action\":\"accept\"}");
        assertTrue(text(s.response()).contains("action=accept"));
      }
      JsonNode done = c.callTool("complete_url_elicitation", Json.object().put("elicitationId", elicitationId));
      assertEquals("notified 1", text(done));
      JsonNode note = get.nextMatching(m -> isMethod(m, "notifications/elicitation/complete"));
      assertEquals(elicitationId, note.path("params").path("elicitationId").asText());
    }
  }

  @Test
  void urlElicitationRequiredErrorRegistersItsElicitations() {
    McpTestClient c = client();
    try (EventStream get = c.get(null)) {
      JsonNode response = c.callTool("url_elicitation_required", null);
      assertEquals(-32042, response.path("error").path("code").asInt());
      String id = response.path("error").path("data").path("elicitations").path(0).path("elicitationId").asText();
      assertFalse(id.isEmpty());
      dev.phantom.presence.SessionTracker tracker = dev.phantom.presence.SessionTracker.get(cluster.node(0));
      dev.phantom.testkit.Eventually.await(Duration.ofSeconds(5), () -> tracker.getRequest(id).isPresent(), "registered");
      assertEquals("notified 1", text(c.callTool("complete_url_elicitation", Json.object().put("elicitationId", id))));
      assertEquals(id, get.nextMatching(m -> isMethod(m, "notifications/elicitation/complete"))
          .path("params").path("elicitationId").asText());
    }
  }

  @Test
  void progressIsReportedForAProgressToken() {
    McpTestClient c = client();
    ObjectNode call = McpTestClient.toolCall(c.nextId(), "slow_progress", Json.object().put("steps", 3).put("delayMs", 20));
    ((ObjectNode) call.get("params")).putObject("_meta").put("progressToken", "p-1");
    try (EventStream s = c.stream(call)) {
      List<JsonNode> messages = s.drain();
      List<JsonNode> progress = messages.stream().filter(m -> isMethod(m, "notifications/progress")).toList();
      assertEquals(List.of(1.0, 2.0, 3.0), progress.stream().map(m -> m.path("params").path("progress").asDouble()).toList());
      assertTrue(progress.stream().allMatch(m -> m.path("params").path("progressToken").asText().equals("p-1")));
      assertEquals("counted to 3", text(messages.get(messages.size() - 1)));
    }
    // without a token, no progress notifications
    List<JsonNode> plain = c.stream(McpTestClient.toolCall(c.nextId(), "slow_progress",
        Json.object().put("steps", 2).put("delayMs", 10))).drain();
    assertTrue(plain.stream().noneMatch(m -> isMethod(m, "notifications/progress")));
  }

  @Test
  void cancellationStopsARunningTool() {
    McpTestClient c = client();
    long id = c.nextId();
    ObjectNode call = McpTestClient.toolCall(id, "slow_progress", Json.object().put("steps", 200).put("delayMs", 50));
    ((ObjectNode) call.get("params")).putObject("_meta").put("progressToken", "cancel-me");
    try (EventStream s = c.stream(call)) {
      s.nextMatching(m -> isMethod(m, "notifications/progress"));
      ObjectNode params = Json.object().put("requestId", id).put("reason", "user abort");
      assertEquals(202, c.post(McpTestClient.notification("notifications/cancelled", params), Map.of()).status());
      List<JsonNode> rest = s.drain();
      assertTrue(rest.stream().noneMatch(m -> m.has("result") || m.has("error")), "no response after cancellation: " + rest);
      assertTrue(rest.size() < 20, "the tool stopped: " + rest.size() + " more messages");
    }
    // the id is free again and the session works
    assertEquals("ok", text(c.callTool("echo", Json.object().put("text", "ok"))));
  }

  @Test
  void logLevelFiltersNotifications() {
    McpTestClient c = client();
    assertTrue(c.call("logging/setLevel", Json.object().put("level", "warning")).has("result"));
    List<JsonNode> quiet = c.stream(McpTestClient.toolCall(c.nextId(), "test_tool_with_logging", null)).drain();
    assertTrue(quiet.stream().noneMatch(m -> isMethod(m, "notifications/message")), "info logs filtered at warning");
    assertTrue(c.call("logging/setLevel", Json.object().put("level", "debug")).has("result"));
    List<JsonNode> loud = c.stream(McpTestClient.toolCall(c.nextId(), "test_tool_with_logging", null)).drain();
    assertEquals(3, loud.stream().filter(m -> isMethod(m, "notifications/message")).count());
  }

  @Test
  void aPostStreamCutMidToolIsResumedWithLastEventId() {
    McpTestClient c = client();
    ObjectNode call = McpTestClient.toolCall(c.nextId(), "slow_progress", Json.object().put("steps", 6).put("delayMs", 150));
    ((ObjectNode) call.get("params")).putObject("_meta").put("progressToken", "resume");
    String lastSeen;
    double lastProgress;
    try (EventStream s = c.stream(call)) {
      JsonNode first = s.nextMatching(m -> isMethod(m, "notifications/progress"));
      lastSeen = s.lastEventId();
      lastProgress = first.path("params").path("progress").asDouble();
    }
    // the client went away mid-tool; it comes back with GET + Last-Event-ID
    try (EventStream resumed = c.get(lastSeen)) {
      assertEquals(200, resumed.status, () -> resumed.body);
      List<JsonNode> rest = resumed.drain();
      List<Double> progress = rest.stream().filter(m -> isMethod(m, "notifications/progress"))
          .map(m -> m.path("params").path("progress").asDouble()).toList();
      assertFalse(progress.isEmpty());
      assertTrue(progress.get(0) == lastProgress + 1, "nothing missed, nothing repeated: " + progress + " after " + lastProgress);
      assertEquals("counted to 6", text(rest.get(rest.size() - 1)));
    }
  }

  @Test
  void listChangedAndResourceUpdatesReachTheGetStream() {
    McpTestClient c = client();
    try (EventStream get = c.get(null)) {
      assertEquals(200, get.status);
      c.callTool("add_dynamic_tool", null);
      get.nextMatching(m -> isMethod(m, "notifications/tools/list_changed"));
      assertTrue(c.call("tools/list", null).path("result").path("tools").findValuesAsText("name").contains("dynamic_tool"));
      c.callTool("remove_dynamic_tool", null);
      get.nextMatching(m -> isMethod(m, "notifications/tools/list_changed"));

      assertTrue(c.call("resources/subscribe", Json.object().put("uri", "test://watched-resource")).has("result"));
      c.callTool("update_watched_resource", null);
      JsonNode updated = get.nextMatching(m -> isMethod(m, "notifications/resources/updated"));
      assertEquals("test://watched-resource", updated.path("params").path("uri").asText());
      assertTrue(c.call("resources/unsubscribe", Json.object().put("uri", "test://watched-resource")).has("result"));
      c.callTool("update_watched_resource", null);
      c.callTool("add_dynamic_tool", null);
      JsonNode next = get.nextMatching(m -> m.has("method"));
      assertEquals("notifications/tools/list_changed", next.path("method").asText(), "no update after unsubscribe");
      c.callTool("remove_dynamic_tool", null);
    }
  }

  @Test
  void deleteEndsTheSessionAndClosesItsStreams() {
    McpTestClient c = client();
    try (EventStream get = c.get(null);
        EventStream running = c.stream(McpTestClient.toolCall(c.nextId(), "slow_progress",
            Json.object().put("steps", 100).put("delayMs", 100)))) {
      assertEquals(200, c.delete().status());
      assertTrue(get.endsWithin(Duration.ofSeconds(5)), "GET stream closed");
      assertTrue(running.endsWithin(Duration.ofSeconds(5)), "POST stream closed");
    }
    McpTestClient.Reply after = c.post(McpTestClient.request(c.nextId(), "ping", null), Map.of());
    assertEquals(404, after.status());
    assertEquals(-32001, after.json().path("error").path("code").asInt());
  }

  @Test
  void aDuplicateRequestIdIsRefusedWhileTheFirstRuns() {
    McpTestClient c = client();
    long id = c.nextId();
    try (EventStream first = c.stream(McpTestClient.toolCall(id, "slow_progress", Json.object().put("steps", 4).put("delayMs", 100)));
        EventStream second = c.stream(McpTestClient.toolCall(id, "echo", Json.object().put("text", "dup")))) {
      JsonNode dup = second.response();
      assertEquals(-32600, dup.path("error").path("code").asInt(), dup::toString);
      assertEquals("counted to 4", text(first.response()));
    }
  }

  @Test
  void pagesAreLinkedByOpaqueCursors() {
    McpTestClient c = client();
    JsonNode page = c.call("tools/list", null).path("result");
    assertNull(page.get("nextCursor"), "the demo's tools fit one page of 100");
    JsonNode bad = c.call("tools/list", Json.object().put("cursor", "not-a-cursor"));
    assertEquals(-32602, bad.path("error").path("code").asInt());
  }
}
