package dev.phantom.cluster;

import static dev.phantom.cluster.NotificationDeliveryTest.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.fasterxml.jackson.databind.JsonNode;
import dev.phantom.mcp.Json;
import dev.phantom.testkit.McpTestClient;
import dev.phantom.testkit.McpTestClient.EventStream;
import dev.phantom.testkit.McpTestNode;
import dev.phantom.testkit.TestCluster;
import com.typesafe.config.ConfigFactory;
import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * No join gap: a fourth node that joins a running three-node cluster gets traffic as soon as it reports
 * ready, and from then on the very next notification reaches its sessions, whichever node publishes it,
 * and its own publications reach every other node's sessions.
 */
class NodeJoinNotificationTest {
  private static TestCluster cluster;
  private static List<McpTestNode> nodes;

  @BeforeAll
  static void start() {
    // pub-sub gossip at Akka's default (the test kit's is faster): the registry spreads as in production
    cluster = TestCluster.start(3, ConfigFactory.parseString("akka.cluster.pub-sub.gossip-interval = 1s"));
    nodes = McpTestNode.serveEach(cluster);
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  @Test
  void aJoiningNodeGetsTheNextNotificationOnceReady() {
    URI a = nodes.get(0).endpoint;
    URI b = nodes.get(1).endpoint;
    McpTestClient onA = new McpTestClient(a).initialize();
    try (EventStream getOnA = new McpTestClient(a).adopt(onA).get(null)) {
      // the cluster is busy notifying before the join
      for (int round = 0; round < 20; round++) {
        assertEquals("notified 1", text(onA.via(b).callTool("notify_list_changed", Json.object().put("kind", "tools"))));
        assertEquals("notifications/tools/list_changed", nextNotification(getOnA).path("method").asText());
      }
      McpTestNode d = McpTestNode.serve(cluster.addNode(0)).awaitReady();
      // the first traffic the new node gets, and the very next events, each triggered elsewhere at once
      McpTestClient onD = new McpTestClient(d.endpoint).initialize();
      try (EventStream getOnD = new McpTestClient(d.endpoint).adopt(onD).get(null)) {
        assertEquals(200, getOnD.status, getOnD.body);
        assertEquals("notified 2", text(onA.via(b).callTool("notify_list_changed", Json.object().put("kind", "prompts"))),
            "a list change published on an older node reaches the new node's session");
        assertEquals("notifications/prompts/list_changed", nextNotification(getOnD).path("method").asText());
        assertEquals("notifications/prompts/list_changed", nextNotification(getOnA).path("method").asText());

        assertEquals("notified 2", text(onD.callTool("notify_list_changed", Json.object().put("kind", "resources"))),
            "a list change published on the new node reaches the older nodes' sessions");
        assertEquals("notifications/resources/list_changed", nextNotification(getOnA).path("method").asText());
        assertEquals("notifications/resources/list_changed", nextNotification(getOnD).path("method").asText());

        String uri = "test://notes/joined";
        JsonNode subscribed = onD.call("resources/subscribe", Json.object().put("uri", uri));
        assertNotNull(subscribed.get("result"), () -> "subscribe: " + subscribed);
        assertEquals("notified 1", text(onA.via(b).callTool("update_resource", Json.object().put("uri", uri))),
            "an update published on an older node reaches the new node's subscription");
        assertEquals(uri, nextNotification(getOnD).path("params").path("uri").asText());
      }
    }
  }

  private static JsonNode nextNotification(EventStream stream) {
    return stream.nextMatching(m -> m.has("method"));
  }
}
