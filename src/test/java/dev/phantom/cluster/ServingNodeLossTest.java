package dev.phantom.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.JsonNode;
import dev.phantom.testkit.Eventually;
import dev.phantom.testkit.McpTestClient;
import dev.phantom.testkit.McpTestClient.Event;
import dev.phantom.testkit.McpTestClient.EventStream;
import dev.phantom.testkit.McpTestNode;
import dev.phantom.testkit.TestCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The node serving a session's GET connection crashes (it is not the session's home): the events sent
 * to the session meanwhile are not lost; the client resumes on another node with Last-Event-ID and
 * gets them; and once the crashed node is gone a fresh GET (no Last-Event-ID) is accepted too.
 */
class ServingNodeLossTest {
  private TestCluster cluster;
  private List<McpTestNode> nodes;

  @BeforeEach
  void start() {
    cluster = TestCluster.start(3, TestCluster.abruptStop());
    nodes = McpTestNode.serveEach(cluster);
    // Cluster members are Up; each node's tracker learns them (and so where ids are homed) from its
    // own subscription to cluster events, a moment later.
    for (int i = 0; i < 3; i++) {
      dev.phantom.presence.SessionTracker t = dev.phantom.presence.SessionTracker.get(cluster.node(i));
      Eventually.await(Duration.ofSeconds(20), () -> t.tracker().visibleNodes().size() == 3, "every tracker sees 3 nodes");
    }
  }

  @AfterEach
  void stop() {
    cluster.close();
  }

  @Test
  void eventsSentWhileTheServingNodeIsDeadAreReplayedOnAnotherNode() {
    McpTestClient operator = new McpTestClient(nodes.get(1).endpoint).initialize();
    // A fresh cluster: B's publications reach A's sessions once A's pub-sub registration has spread.
    new McpTestClient(nodes.get(0).endpoint).initialize();
    Eventually.await(Duration.ofSeconds(20), () -> operator.callTool("notify_prompt_list", null).path("result")
        .path("content").path(0).path("text").asText().equals("notified 2"), "pub-sub registrations spread");
    McpTestClient client = new McpTestClient(nodes.get(0).endpoint).initialize();
    EventStream viaC = client.via(nodes.get(2).endpoint).get(null);
    assertEquals(200, viaC.status);
    // the priming event gives the client a Last-Event-ID before any message
    Event priming = viaC.next();
    assertNotNull(priming.id(), "priming event with an id");
    assertNull(priming.data(), "priming event without data");
    operator.callTool("notify_prompt_list", null);
    viaC.nextMatching(m -> "notifications/prompts/list_changed".equals(m.path("method").asText()));
    String lastSeen = viaC.lastEventId();

    cluster.crash(2, 0);
    viaC.close();
    // sent while the connection's node is dead: these must not be lost
    operator.callTool("notify_prompt_list", null);
    operator.callTool("add_dynamic_tool", null);

    try (EventStream resumed = client.via(nodes.get(1).endpoint).get(lastSeen)) {
      assertEquals(200, resumed.status, () -> "resume on B: " + resumed.body);
      List<String> methods = new ArrayList<>();
      JsonNode m = resumed.nextMatching(x -> x.has("method"));
      methods.add(m.path("method").asText());
      m = resumed.nextMatching(x -> x.has("method"));
      methods.add(m.path("method").asText());
      assertEquals(List.of("notifications/prompts/list_changed", "notifications/tools/list_changed"), methods);
    }

  }

  /**
   * A request running on a node that dies never reports its end to its session (on another node): once
   * the node is removed, the session releases the request, so its id may be sent again (and the
   * session could idle out).
   */
  @Test
  void aRequestLostWithItsNodeIsReleasedByItsSession() {
    McpTestClient client = new McpTestClient(nodes.get(0).endpoint).initialize();
    com.fasterxml.jackson.databind.node.ObjectNode slow = dev.phantom.mcp.Json.object().put("steps", 55).put("delayMs", 1000);
    com.fasterxml.jackson.databind.node.ObjectNode call = McpTestClient.toolCall(77, "slow_progress", slow);
    ((com.fasterxml.jackson.databind.node.ObjectNode) call.get("params")).putObject("_meta").put("progressToken", "p77");
    EventStream running = client.via(nodes.get(2).endpoint).stream(call);
    assertEquals(200, running.status, running.body);
    running.nextMatching(m -> "notifications/progress".equals(m.path("method").asText()));
    JsonNode duplicate = client.via(nodes.get(1).endpoint).postRawSession(client.sessionId(),
        McpTestClient.toolCall(77, "echo", dev.phantom.mcp.Json.object().put("text", "again")));
    assertEquals(-32600, duplicate.path("error").path("code").asInt(), () -> "while it runs the id is taken: " + duplicate);

    cluster.crash(2, 0);
    running.close();
    Eventually.await(Duration.ofSeconds(40), () -> {
      JsonNode retry = client.via(nodes.get(1).endpoint).postRawSession(client.sessionId(),
          McpTestClient.toolCall(77, "echo", dev.phantom.mcp.Json.object().put("text", "again")));
      return retry.path("result").path("content").path(0).path("text").asText().equals("again");
    }, "the id of the request lost with node C is released");
  }

  @Test
  void aFreshGetIsAcceptedOnceTheServingNodeIsGone() {
    McpTestClient client = new McpTestClient(nodes.get(0).endpoint).initialize();
    EventStream viaC = client.via(nodes.get(2).endpoint).get(null);
    assertEquals(200, viaC.status);
    try (EventStream second = client.via(nodes.get(1).endpoint).get(null)) {
      assertEquals(409, second.status, "one GET stream per session while it is connected");
    }
    cluster.crash(2, 0);
    viaC.close();
    // The stream (on the home node) watches the relay on the dead node: once that node is removed the
    // stream counts as disconnected, and a client without a Last-Event-ID can open a new one.
    Eventually.await(Duration.ofSeconds(20), () -> {
      try (EventStream fresh = client.via(nodes.get(1).endpoint).get(null)) {
        return fresh.status == 200;
      }
    }, "a fresh GET stream is accepted");
  }
}
