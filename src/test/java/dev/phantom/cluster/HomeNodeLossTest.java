package dev.phantom.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.phantom.mcp.Json;
import dev.phantom.testkit.Eventually;
import dev.phantom.testkit.McpTestClient;
import dev.phantom.testkit.McpTestClient.EventStream;
import dev.phantom.testkit.McpTestNode;
import dev.phantom.testkit.TestCluster;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** 12. A session's home node crashes: its sessions get 404 on the survivors; the survivors' sessions lose nothing. */
class HomeNodeLossTest {
  private TestCluster cluster;
  private List<McpTestNode> nodes;

  @BeforeEach
  void start() {
    cluster = TestCluster.start(3, TestCluster.abruptStop());
    nodes = McpTestNode.serveEach(cluster);
  }

  @AfterEach
  void stop() {
    cluster.close();
  }

  @Test
  void sessionsOfACrashedHomeGet404AndOthersLoseNothing() {
    McpTestClient orphan = new McpTestClient(nodes.get(2).endpoint).initialize();
    McpTestClient survivor = new McpTestClient(nodes.get(0).endpoint).initialize();
    assertTrue(orphan.via(nodes.get(1).endpoint).call("ping", null).has("result"));
    try (EventStream survivorGet = survivor.via(nodes.get(1).endpoint).get(null)) {
      assertEquals(200, survivorGet.status);
      assertTrue(survivor.call("resources/subscribe", Json.object().put("uri", "test://watched-resource")).has("result"));

      cluster.crash(2, 0);

      // within the hide bound (here: at once, the node is downed) the orphan's session is gone everywhere
      for (McpTestNode n : nodes.subList(0, 2)) {
        Eventually.await(Duration.ofSeconds(10), () -> orphan.via(n.endpoint)
            .post(McpTestClient.request(orphan.nextId(), "ping", null), Map.of()).status() == 404, "404 on " + n.endpoint);
      }
      // and it works again after re-initializing
      McpTestClient again = new McpTestClient(nodes.get(1).endpoint).initialize();
      assertTrue(again.via(nodes.get(0).endpoint).call("ping", null).has("result"));

      // the survivor's session keeps its stream, subscription and calls
      assertEquals("still here", survivor.via(nodes.get(1).endpoint).callTool("echo", Json.object().put("text", "still here"))
          .path("result").path("content").path(0).path("text").asText());
      Eventually.await(Duration.ofSeconds(10), () -> dev.phantom.presence.SessionTracker.get(cluster.node(1)).tracker()
          .lookup(dev.phantom.presence.SessionTracker.RESOURCES_TOPIC, "test://watched-resource")
          .stream().anyMatch(p -> survivor.sessionId().equals(p.meta().get("session"))), "subscription visible on node 1");
      survivor.via(nodes.get(1).endpoint).callTool("update_watched_resource", null);
      survivorGet.nextMatching(m -> "notifications/resources/updated".equals(m.path("method").asText()));
    }
  }
}
