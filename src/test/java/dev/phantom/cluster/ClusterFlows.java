package dev.phantom.cluster;

import dev.phantom.presence.SessionTracker;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.phantom.mcp.Json;
import dev.phantom.node.DemoServer;
import dev.phantom.testkit.Eventually;
import dev.phantom.testkit.McpTestClient;
import dev.phantom.testkit.McpTestClient.EventStream;
import dev.phantom.testkit.McpTestNode;
import dev.phantom.testkit.TestCluster;
import dev.phantom.tracker.TrackerKey;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Any node serves any request: every MCP flow with its steps sent to different nodes of a 3-node
 * cluster (A = node 0, B = node 1, C = node 2), as a round-robin balancer without affinity would
 * ({@link SpreadFlowsTest}); and the same flows with every step on one node ({@link SameNodeFlowsTest}).
 */
abstract class ClusterFlows {
  private static final Duration REPLICATION = Duration.ofSeconds(30);
  private static TestCluster cluster;
  private static List<McpTestNode> nodes;
  private static URI a;
  private static URI b;
  private static URI c;

  static void startCluster(boolean spread) {
    cluster = TestCluster.start(3);
    nodes = McpTestNode.serveEach(cluster);
    a = nodes.get(0).endpoint;
    b = spread ? nodes.get(1).endpoint : a;
    c = spread ? nodes.get(2).endpoint : a;
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  /** A session initialized on {@code home}. */
  private static McpTestClient sessionOn(URI home) {
    return new McpTestClient(home).initialize();
  }

  private static String text(JsonNode response) {
    assertNotNull(response.get("result"), () -> "not a result: " + response);
    return response.path("result").path("content").path(0).path("text").asText();
  }

  private static Predicate<JsonNode> method(String name) {
    return m -> name.equals(m.path("method").asText());
  }

  private static void answer(McpTestClient client, JsonNode serverRequest, String resultJson) {
    ObjectNode reply = Json.object().put("jsonrpc", "2.0");
    reply.set("id", serverRequest.get("id"));
    reply.set("result", Json.parseObject(resultJson));
    assertEquals(202, client.post(reply, Map.of()).status());
  }

  private static SessionTracker tracker(int node) {
    return SessionTracker.get(cluster.node(node));
  }

  // 1. Session lookup
  @Test
  void aSessionIsServedOnEveryNodeFromTheInstantItExists() {
    for (int i = 0; i < 20; i++) {
      McpTestClient client = new McpTestClient(a).initialize();
      // no wait at all: the id names its home, so B and C route there without replication
      assertTrue(client.via(b).call("ping", null).has("result"), "B right after initialize on A");
      assertTrue(client.via(c).call("ping", null).has("result"), "C right after initialize on A");
    }
    McpTestClient unknown = new McpTestClient(a);
    for (URI node : List.of(a, b, c)) {
      McpTestClient.Reply r = unknown.via(node).postRaw(Json.write(McpTestClient.request(1, "ping", null)),
          Map.of("Mcp-Session-Id", tracker(0).tracker().mintId()));
      assertEquals(404, r.status(), "unknown session on " + node);
    }
    McpTestClient ended = sessionOn(b);
    assertEquals(200, ended.via(c).delete().status());
    for (URI node : List.of(a, b, c)) {
      assertEquals(404, ended.via(node).post(McpTestClient.request(ended.nextId(), "ping", null), Map.of()).status());
    }
  }

  // 2. Form elicitation across nodes
  @Test
  void elicitationAnsweredOnAThirdNodeResumesTheTool() {
    McpTestClient client = sessionOn(a);
    Map<String, String> answers = Map.of(
        "{\"action\":\"accept\",\"content\":{\"name\":\"Ada\"}}", "action=accept",
        "{\"action\":\"decline\"}", "action=decline",
        "{\"action\":\"cancel\"}", "action=cancel");
    for (var e : answers.entrySet()) {
      try (EventStream onB = client.via(b).stream(McpTestClient.toolCall(client.nextId(), "form_elicitation", null))) {
        JsonNode ask = onB.nextMatching(method("elicitation/create"));
        answer(client.via(c), ask, e.getKey());
        assertTrue(text(onB.response()).startsWith(e.getValue()));
      }
    }
    try (EventStream onB = client.via(b).stream(McpTestClient.toolCall(client.nextId(), "form_elicitation", null))) {
      JsonNode ask = onB.nextMatching(method("elicitation/create"));
      // an answer for an unknown id gets 400 at once, and an answer from another session is refused
      long started = System.nanoTime();
      McpTestClient.Reply unknown = client.via(c).postRaw("{\"jsonrpc\":\"2.0\",\"id\":\"" + tracker(1).tracker().mintId()
          + "\",\"result\":{\"action\":\"accept\"}}", Map.of());
      assertEquals(400, unknown.status());
      assertTrue(System.nanoTime() - started < Duration.ofSeconds(2).toNanos(), "refused at once, no polling");
      McpTestClient stranger = sessionOn(c);
      ObjectNode foreign = Json.object().put("jsonrpc", "2.0");
      foreign.set("id", ask.get("id"));
      foreign.putObject("result").put("action", "accept");
      assertEquals(400, stranger.via(a).post(foreign, Map.of()).status(), "another session cannot answer");
      ObjectNode error = Json.object().put("jsonrpc", "2.0");
      error.set("id", ask.get("id"));
      error.putObject("error").put("code", -32000).put("message", "no");
      assertEquals(202, client.via(c).post(error, Map.of()).status());
      assertTrue(text(onB.response()).startsWith("action=error"), "a client error answer reaches the tool");
    }
  }

  // 3. URL elicitation completion from another node
  @Test
  void urlElicitationCompletionFromAnyNodeReachesTheSessionsStream() {
    McpTestClient client = sessionOn(a);
    try (EventStream getOnB = client.via(b).get(null)) {
      String id;
      try (EventStream call = client.via(a).stream(McpTestClient.toolCall(client.nextId(), "url_elicitation", null))) {
        JsonNode ask = call.nextMatching(method("elicitation/create"));
        id = ask.path("params").path("elicitationId").asText();
        answer(client.via(b), ask, "{\"action\":\"accept\"}");
        call.response();
      }
      Eventually.await(REPLICATION, () -> tracker(2).getRequest(id).isPresent(), "the registration replicated to C");
      assertEquals("notified 1", text(client.via(c).callTool("complete_url_elicitation", Json.object().put("elicitationId", id))));
      assertEquals(id, getOnB.nextMatching(method("notifications/elicitation/complete")).path("params").path("elicitationId").asText());
    }
  }

  // 4. Sampling and ping answered on another node
  @Test
  void samplingAndPingAnsweredOnAnotherNode() {
    McpTestClient client = sessionOn(c);
    try (EventStream onA = client.via(a).stream(McpTestClient.toolCall(client.nextId(), "test_sampling",
        Json.object().put("prompt", "hi")))) {
      JsonNode ask = onA.nextMatching(method("sampling/createMessage"));
      answer(client.via(b), ask, "{\"role\":\"assistant\",\"content\":{\"type\":\"text\",\"text\":\"from B\"},\"model\":\"m\"}");
      assertEquals("LLM response: from B", text(onA.response()));
    }
    try (EventStream onB = client.via(b).stream(McpTestClient.toolCall(client.nextId(), "ping_client", null))) {
      answer(client.via(a), onB.nextMatching(method("ping")), "{}");
      assertEquals("client answered", text(onB.response()));
    }
  }

  // 5. list_changed, exactly once per session, to sessions spread over the cluster
  @Test
  void aToolAddedOnOneNodeIsAnnouncedOnceToEverySession() {
    List<McpTestClient> clients = new ArrayList<>();
    List<EventStream> streams = new ArrayList<>();
    List<URI> all = List.of(a, b, c);
    try {
      for (int i = 0; i < 100; i++) {
        McpTestClient client = sessionOn(all.get(i % 3));
        EventStream get = client.via(all.get((i + 1) % 3)).get(null);
        assertEquals(200, get.status);
        clients.add(client);
        streams.add(get);
      }
      McpTestClient operator = sessionOn(c);
      assertTrue(text(operator.callTool("add_dynamic_tool", null)).contains("on 3 node(s)"));
      for (EventStream get : streams) get.nextMatching(method("notifications/tools/list_changed"));
      // every node has the tool before anyone was told
      for (URI node : all) {
        assertTrue(operator.via(node).call("tools/list", null).path("result").path("tools").findValuesAsText("name")
            .contains("dynamic_tool"), "tools/list on " + node);
      }
      // exactly once: the next message on every stream is the next (different) announcement, not a duplicate
      operator.callTool("notify_prompt_list", null);
      for (EventStream get : streams) {
        assertEquals("notifications/prompts/list_changed", get.nextMatching(m -> m.has("method")).path("method").asText(),
            "a session got tools/list_changed twice");
      }
      assertTrue(text(operator.via(a).callTool("remove_dynamic_tool", null)).contains("on 3 node(s)"));
    } finally {
      streams.forEach(EventStream::close);
    }
  }

  // 6. Resource subscriptions across nodes, surviving a GET reconnect elsewhere
  @Test
  void resourceUpdatesFollowTheSessionAcrossNodes() {
    McpTestClient client = sessionOn(a);
    String uri = "test://watched-resource";
    String lastSeen;
    try (EventStream getOnA = client.via(a).get(null)) {
      assertTrue(client.via(b).call("resources/subscribe", Json.object().put("uri", uri)).has("result"));
      Eventually.await(REPLICATION, () -> tracker(2).tracker().lookup(SessionTracker.RESOURCES_TOPIC, TrackerKey.id(uri)).stream()
          .anyMatch(p -> client.sessionId().equals(p.meta().get("session"))), "the subscription replicated to C");
      client.via(c).callTool("update_watched_resource", null);
      assertEquals(uri, getOnA.nextMatching(method("notifications/resources/updated")).path("params").path("uri").asText());
      lastSeen = getOnA.lastEventId();
    }
    // the GET stream reconnects (resumes) on another node; the subscription belongs to the session
    try (EventStream getOnB = client.via(b).get(lastSeen)) {
      assertEquals(200, getOnB.status, () -> getOnB.body);
      client.via(c).callTool("update_watched_resource", null);
      getOnB.nextMatching(method("notifications/resources/updated"));
      assertTrue(client.via(c).call("resources/unsubscribe", Json.object().put("uri", uri)).has("result"));
      Eventually.await(REPLICATION, () -> tracker(2).tracker().lookup(SessionTracker.RESOURCES_TOPIC, TrackerKey.id(uri)).stream()
          .noneMatch(p -> client.sessionId().equals(p.meta().get("session"))), "the unsubscription replicated to C");
      client.via(c).callTool("update_watched_resource", null);
      client.via(c).callTool("add_dynamic_tool", null);
      assertEquals("notifications/tools/list_changed", getOnB.nextMatching(m -> m.has("method")).path("method").asText(),
          "no update after unsubscribe");
      client.via(c).callTool("remove_dynamic_tool", null);
    }
  }

  // 7. Log level set on one node applies to a tool running on another
  @Test
  void logLevelSetOnOneNodeAppliesEverywhere() {
    McpTestClient client = sessionOn(b);
    assertTrue(client.via(a).call("logging/setLevel", Json.object().put("level", "warning")).has("result"));
    List<JsonNode> quiet = client.via(c).stream(McpTestClient.toolCall(client.nextId(), "test_tool_with_logging", null)).drain();
    assertTrue(quiet.stream().noneMatch(method("notifications/message")));
    assertTrue(client.via(a).call("logging/setLevel", Json.object().put("level", "debug")).has("result"));
    List<JsonNode> loud = client.via(b).stream(McpTestClient.toolCall(client.nextId(), "test_tool_with_logging", null)).drain();
    assertEquals(3, loud.stream().filter(method("notifications/message")).count());
  }

  // 8. Duplicates: the same request on two nodes at once runs once
  @Test
  void theSameRequestSentToTwoNodesRunsOnce() {
    McpTestClient client = sessionOn(a);
    for (int round = 0; round < 50; round++) {
      long id = client.nextId();
      long before = DemoServer.RUNS.get();
      CompletableFuture<JsonNode> first = CompletableFuture.supplyAsync(() -> {
        try (EventStream s = new McpTestClient(b).adopt(client).stream(McpTestClient.toolCall(id, "increment_counter", null))) {
          return s.response();
        }
      });
      CompletableFuture<JsonNode> second = CompletableFuture.supplyAsync(() -> {
        try (EventStream s = new McpTestClient(c).adopt(client).stream(McpTestClient.toolCall(id, "increment_counter", null))) {
          return s.response();
        }
      });
      List<JsonNode> responses = List.of(first.join(), second.join());
      assertEquals(1, DemoServer.RUNS.get() - before, "round " + round + ": the handler ran once");
      assertEquals(1, responses.stream().filter(r -> r.has("result")).count(), () -> "one result: " + responses);
      assertEquals(1, responses.stream().filter(r -> r.path("error").path("code").asInt() == -32600).count(),
          () -> "one clear duplicate error: " + responses);
    }
  }

  // 9. Cancellation sent to another node stops the tool
  @Test
  void cancellationSentToAnotherNodeStopsTheTool() {
    McpTestClient client = sessionOn(a);
    long id = client.nextId();
    ObjectNode call = McpTestClient.toolCall(id, "slow_progress", Json.object().put("steps", 200).put("delayMs", 50));
    ((ObjectNode) call.get("params")).putObject("_meta").put("progressToken", "x");
    try (EventStream onB = client.via(b).stream(call)) {
      onB.nextMatching(method("notifications/progress"));
      assertEquals(202, client.via(c).post(McpTestClient.notification("notifications/cancelled",
          Json.object().put("requestId", id)), Map.of()).status());
      List<JsonNode> rest = onB.drain();
      assertTrue(rest.stream().noneMatch(m -> m.has("result") || m.has("error")), "no response after cancel");
      assertTrue(rest.size() < 20, "stopped");
    }
  }

  // 10. Resumption on another node
  @Test
  void aCutPostStreamIsResumedOnAnotherNode() {
    McpTestClient client = sessionOn(a);
    ObjectNode call = McpTestClient.toolCall(client.nextId(), "slow_progress", Json.object().put("steps", 6).put("delayMs", 150));
    ((ObjectNode) call.get("params")).putObject("_meta").put("progressToken", "r");
    String lastSeen;
    double lastProgress;
    try (EventStream onB = client.via(b).stream(call)) {
      lastProgress = onB.nextMatching(method("notifications/progress")).path("params").path("progress").asDouble();
      lastSeen = onB.lastEventId();
    }
    try (EventStream resumedOnC = client.via(c).get(lastSeen)) {
      assertEquals(200, resumedOnC.status, () -> resumedOnC.body);
      List<JsonNode> rest = resumedOnC.drain();
      List<Double> progress = rest.stream().filter(method("notifications/progress"))
          .map(m -> m.path("params").path("progress").asDouble()).toList();
      assertEquals(lastProgress + 1, progress.get(0), "nothing missed or repeated: " + progress);
      assertEquals("counted to 6", text(rest.get(rest.size() - 1)));
    }
  }

  @Test
  void aCutGetStreamIsResumedOnAnotherNodeWithoutLoss() {
    McpTestClient client = sessionOn(a);
    String lastSeen;
    try (EventStream getOnA = client.via(a).get(null)) {
      client.via(b).callTool("add_dynamic_tool", null);
      getOnA.nextMatching(method("notifications/tools/list_changed"));
      lastSeen = getOnA.lastEventId();
    }
    // sent while no connection is open: kept by the GET stream on A
    client.via(c).callTool("remove_dynamic_tool", null);
    client.via(c).callTool("add_dynamic_tool", null);
    try (EventStream resumedOnB = client.via(b).get(lastSeen)) {
      assertEquals(200, resumedOnB.status, () -> resumedOnB.body);
      resumedOnB.nextMatching(method("notifications/tools/list_changed"));
      resumedOnB.nextMatching(method("notifications/tools/list_changed"));
    }
    client.via(a).callTool("remove_dynamic_tool", null);
  }

  // 11. DELETE on a third node ends everything of the session
  @Test
  void deleteOnAThirdNodeEndsTheSessionEverywhere() {
    McpTestClient client = sessionOn(a);
    assertTrue(client.via(a).call("resources/subscribe", Json.object().put("uri", "test://static-text")).has("result"));
    try (EventStream getOnA = client.via(a).get(null);
        EventStream runningOnB = client.via(b).stream(McpTestClient.toolCall(client.nextId(), "slow_progress",
            Json.object().put("steps", 100).put("delayMs", 100)))) {
      Eventually.await(REPLICATION, () -> tracker(2).listSessionStreams(client.sessionId()).size() == 2, "session and GET stream");
      assertEquals(200, client.via(c).delete().status());
      assertTrue(getOnA.endsWithin(Duration.ofSeconds(5)), "GET stream on A closed");
      assertTrue(runningOnB.endsWithin(Duration.ofSeconds(5)), "POST stream on B closed");
    }
    for (int node = 0; node < 3; node++) {
      SessionTracker t = tracker(node);
      Eventually.await(REPLICATION, () -> t.listSessionStreams(client.sessionId()).isEmpty()
          && t.listResourceListeners().stream().noneMatch(p -> client.sessionId().equals(p.meta().get("session"))),
          "the session's entries gone on node " + node);
    }
    for (URI node : List.of(a, b, c)) {
      assertEquals(404, client.via(node).post(McpTestClient.request(client.nextId(), "ping", null), Map.of()).status());
    }
  }
}
