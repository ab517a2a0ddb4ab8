package dev.phantom.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.fasterxml.jackson.databind.JsonNode;
import dev.phantom.mcp.Json;
import dev.phantom.testkit.McpTestClient;
import dev.phantom.testkit.McpTestClient.EventStream;
import dev.phantom.testkit.McpTestNode;
import dev.phantom.testkit.TestCluster;
import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The delivery guarantee, over HTTP on three nodes (A, B, C): whatever the server acknowledged to the
 * client before an event was triggered — a resource subscription, the session itself, a URL elicitation
 * it handed out — receives that event exactly once, with no wait at all between the acknowledgement on
 * one node and the trigger on another. Each round checks the count the notifier reports ("notified 1":
 * exact) and the next notification on the session's GET stream (a missed one or a duplicate shows as
 * the wrong next message).
 */
class NotificationDeliveryTest {
  private static final int ROUNDS = 1000;
  private static TestCluster cluster;
  private static URI a;
  private static URI b;
  private static URI c;

  @BeforeAll
  static void start() {
    cluster = TestCluster.start(3);
    List<McpTestNode> nodes = McpTestNode.serveEach(cluster);
    a = nodes.get(0).endpoint;
    b = nodes.get(1).endpoint;
    c = nodes.get(2).endpoint;
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  @Test
  void aSubscriptionAcknowledgedOnOneNodeGetsAnUpdateTriggeredOnAnotherAtOnce() {
    // home C; subscribe through A (the request's node is not the session's); update through B
    McpTestClient session = new McpTestClient(c).initialize();
    try (EventStream getOnC = new McpTestClient(c).adopt(session).get(null)) {
      assertEquals(200, getOnC.status, getOnC.body);
      for (int round = 0; round < ROUNDS; round++) {
        String uri = "test://notes/" + round;
        JsonNode subscribed = session.via(a).call("resources/subscribe", Json.object().put("uri", uri));
        assertNotNull(subscribed.get("result"), () -> "subscribe: " + subscribed);
        assertEquals("notified 1", text(session.via(b).callTool("update_resource", Json.object().put("uri", uri))),
            "round " + round + ": listeners the update reached");
        JsonNode next = getOnC.nextMatching(m -> m.has("method"));
        assertEquals("notifications/resources/updated", next.path("method").asText(), "round " + round);
        assertEquals(uri, next.path("params").path("uri").asText(), "round " + round + ": missed or duplicated");
        // within max-subscriptions-per-session
        assertNotNull(session.via(a).call("resources/unsubscribe", Json.object().put("uri", uri)).get("result"));
      }
      assertNoMoreNotificationsThan(getOnC, session.via(b));
    }
  }

  @Test
  void aSessionGetsEachListChangeTriggeredOnAnotherNodeRightAfterInitialize() {
    for (String kind : List.of("tools", "prompts", "resources")) {
      for (int round = 0; round < ROUNDS; round++) {
        McpTestClient session = new McpTestClient(a).initialize();
        McpTestClient onB = new McpTestClient(b).adopt(session);
        try (EventStream getOnC = new McpTestClient(c).adopt(session).get(null)) {
          assertEquals(200, getOnC.status, getOnC.body);
          // the only session alive: ended sessions leave the hubs before their DELETE is answered
          assertEquals("notified 1", text(onB.callTool("notify_list_changed", Json.object().put("kind", kind))),
              kind + " round " + round + ": sessions reached");
          JsonNode next = getOnC.nextMatching(m -> m.has("method"));
          assertEquals("notifications/" + kind + "/list_changed", next.path("method").asText(), kind + " round " + round);
          if (round == ROUNDS - 1) assertNoMoreNotificationsThan(getOnC, onB);
        }
        assertEquals(200, onB.delete().status());
      }
    }
  }

  @Test
  void aUrlElicitationHandedOutOnOneNodeIsCompletedFromAnother() {
    // home C; the tool that hands out the elicitation runs on A; the completion is reported on B
    McpTestClient session = new McpTestClient(c).initialize();
    try (EventStream getOnC = new McpTestClient(c).adopt(session).get(null)) {
      assertEquals(200, getOnC.status, getOnC.body);
      for (int round = 0; round < ROUNDS; round++) {
        JsonNode required = session.via(a).callTool("url_elicitation_required", null);
        String id = required.path("error").path("data").path("elicitations").path(0).path("elicitationId").asText(null);
        assertNotNull(id, () -> "no elicitation id in " + required);
        assertEquals("notified 1", text(session.via(b).callTool("complete_url_elicitation", Json.object().put("elicitationId", id))),
            "round " + round + ": sessions the completion reached");
        JsonNode next = getOnC.nextMatching(m -> m.has("method"));
        assertEquals("notifications/elicitation/complete", next.path("method").asText(), "round " + round);
        assertEquals(id, next.path("params").path("elicitationId").asText(), "round " + round + ": missed or duplicated");
      }
      assertNoMoreNotificationsThan(getOnC, session.via(b));
    }
  }

  /** Nothing but the events checked: a sentinel list change is the very next notification. */
  private static void assertNoMoreNotificationsThan(EventStream stream, McpTestClient trigger) {
    trigger.callTool("notify_list_changed", Json.object().put("kind", "prompts"));
    assertEquals("notifications/prompts/list_changed", stream.nextMatching(m -> m.has("method")).path("method").asText(),
        "a duplicate arrived after the last round");
  }

  static String text(JsonNode response) {
    assertNotNull(response.get("result"), () -> "not a result: " + response);
    return response.path("result").path("content").path(0).path("text").asText();
  }
}
