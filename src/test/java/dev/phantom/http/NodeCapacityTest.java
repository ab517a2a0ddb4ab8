package dev.phantom.http;

import static dev.phantom.http.SecurityFixture.assertEchoes;
import static dev.phantom.http.SecurityFixture.assertRefused;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.phantom.http.SecurityFixture.Party;
import dev.phantom.mcp.Json;
import dev.phantom.testkit.Eventually;
import dev.phantom.testkit.McpTestClient;
import dev.phantom.testkit.McpTestClient.EventStream;
import dev.phantom.testkit.McpTestClient.Reply;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What a node holds for all its clients together: handler tasks queued or running (503 with
 * Retry-After beyond) and resource subscriptions of the sessions it homes. A refusal changes nothing,
 * and a place freed is available again.
 */
class NodeCapacityTest {
  private static final int HANDLER_TASKS = 2;
  private static final int NODE_SUBSCRIPTIONS = 30;
  private static SecurityFixture f;

  @BeforeAll
  static void start() {
    f = SecurityFixture.start(1, String.join("\n",
        "phantom.mcp.limits {",
        "  max-handler-tasks = " + HANDLER_TASKS,
        "  max-subscriptions-per-node = " + NODE_SUBSCRIPTIONS,
        "  retry-after = 3s",
        "}"));
  }

  @AfterAll
  static void stop() {
    if (f != null) f.close();
  }

  @AfterEach
  void bystanderIsUnaffected() {
    SecurityFixture.releaseAll();
    f.awaitNoRequestsInFlight();
    f.assertBystanderWorks();
  }

  private static dev.phantom.session.NodeLoad load() {
    return f.transports.get(0).load();
  }

  @Test
  void requestsWhileTheHandlerQueueIsFullAre503WithRetryAfter() {
    Party alice = f.party(0, "alice").initialize();
    List<String> keys = new ArrayList<>();
    List<EventStream> blocked = new ArrayList<>();
    try {
      for (int i = 0; i < HANDLER_TASKS; i++) {
        String key = SecurityFixture.uniqueKey("block");
        keys.add(key);
        blocked.add(SecurityFixture.startBlocking(alice, alice.nextId(), key));
      }
      assertEquals(HANDLER_TASKS, load().handlerTasks(), "both handlers hold their tasks");
      Reply refused = alice.post(McpTestClient.toolCall(71, "echo", Json.object().put("text", "x")));
      JsonNode error = assertRefused(503, -32000, "handler tasks waiting", refused);
      assertEquals(71, error.path("id").asLong(), "the refusal echoes the id");
      assertEquals("3", refused.header("Retry-After"));
      for (String key : keys) SecurityFixture.release(key);
      for (int i = 0; i < blocked.size(); i++) {
        assertEquals("unblocked " + keys.get(i), SecurityFixture.text(blocked.get(i).response()));
      }
      Eventually.await(McpTestClient.WAIT, () -> load().handlerTasks() == 0, "the tasks are released");
      assertEchoes(alice, "alice");
    } finally {
      blocked.forEach(EventStream::close);
    }
  }

  @Test
  void subscriptionsBeyondTheNodesLimitAreRefusedUntilASessionEnds() {
    Eventually.await(McpTestClient.WAIT, () -> load().subscriptions() < NODE_SUBSCRIPTIONS - 2, "room to fill");
    Party filler = f.party(0, "filler").initialize();
    int room = NODE_SUBSCRIPTIONS - load().subscriptions();
    for (int i = 0; i < room; i++) {
      JsonNode ok = filler.call("resources/subscribe", Json.object().put("uri", "test://items/fill-" + i));
      assertTrue(ok.has("result"), () -> "subscription within the node's limit: " + ok);
    }
    Party other = f.party(0, "other").initialize();
    JsonNode refused = other.call("resources/subscribe", Json.object().put("uri", "test://items/over"));
    assertEquals(-32000, refused.path("error").path("code").asInt(), refused::toString);
    assertTrue(refused.path("error").path("message").asText().contains("Too many resource subscriptions"), refused::toString);
    assertEquals(NODE_SUBSCRIPTIONS, load().subscriptions(), "the refused one took no place");

    assertEquals(200, filler.delete().status(), "the filler's session ends");
    Eventually.await(McpTestClient.WAIT, () -> load().subscriptions() <= NODE_SUBSCRIPTIONS - room,
        "its subscriptions are released");
    JsonNode ok = other.call("resources/subscribe", Json.object().put("uri", "test://items/over"));
    assertTrue(ok.has("result"), () -> "room again after the session ended: " + ok);
    assertEchoes(other, "other");
  }
}
