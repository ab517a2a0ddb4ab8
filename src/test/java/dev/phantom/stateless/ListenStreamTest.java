package dev.phantom.stateless;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.ConfigFactory;
import dev.phantom.mcp.Json;
import dev.phantom.testkit.McpTestNode;
import dev.phantom.testkit.ModernClient;
import dev.phantom.testkit.ModernClient.Exchange;
import dev.phantom.testkit.TestCluster;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code subscriptions/listen} (2026-07-28) over HTTP on three nodes A, B, C: the stream opens with
 * {@code notifications/subscriptions/acknowledged} naming the subscription (the listen request's id)
 * and the filter the server honours; from the moment the client has read it, a change triggered on
 * any other node reaches the stream — with no wait at all between the two — tagged with the
 * subscription id, and nothing outside the filter does.
 */
class ListenStreamTest {
  private static final int ROUNDS = 200;
  private static TestCluster cluster;
  private static List<ModernClient> clients;

  @BeforeAll
  static void start() {
    // Closed listen streams are noticed at their next keep-alive write; a short period lets the hubs
    // forget the streams of earlier rounds quickly.
    cluster = TestCluster.start(3, ConfigFactory.parseString("phantom.mcp.sse-keep-alive = 1s"));
    clients = McpTestNode.serveEach(cluster).stream().map(n -> ModernClient.at(n.endpoint)).toList();
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  @Test
  void aListenGetsItsAcknowledgementThenWhatItAskedForFromEveryNode() {
    ModernClient onA = clients.get(0);
    ModernClient onB = clients.get(1);
    ModernClient onC = clients.get(2);
    String uri = "test://notes/listen-" + System.nanoTime();
    JsonNode id = ModernClient.id("listen-" + System.nanoTime());
    ObjectNode wanted = Json.object().put("toolsListChanged", true);
    wanted.putArray("resourceSubscriptions").add(uri);
    try (Exchange stream = listen(onA, id, wanted)) {
      JsonNode honoured = acknowledged(stream, id);
      assertEquals(wanted, honoured, "the filter as honoured");

      assertTrue(text(onB.callTool("test_trigger_tool_change", null)).startsWith("Mutation triggered"));
      expect(stream, "notifications/tools/list_changed", id);

      assertTrue(text(onC.callTool("update_resource", Json.object().put("uri", uri))).startsWith("notified "));
      JsonNode updated = expect(stream, "notifications/resources/updated", id);
      assertEquals(uri, updated.path("params").path("uri").asText(), updated::toString);

      // outside the filter: a prompts change, and another resource
      onB.callTool("test_trigger_prompt_change", null);
      onC.callTool("update_resource", Json.object().put("uri", uri + "-other"));
      // the sentinel: the very next event is this tools change
      onC.callTool("test_trigger_tool_change", null);
      expect(stream, "notifications/tools/list_changed", id);
    }
  }

  @Test
  void aListenOfPromptsOnlyGetsNoToolChanges() {
    JsonNode id = ModernClient.id("prompts-only-" + System.nanoTime());
    try (Exchange stream = listen(clients.get(1), id, Json.object().put("promptsListChanged", true))) {
      assertEquals(Json.object().put("promptsListChanged", true), acknowledged(stream, id));
      clients.get(2).callTool("test_trigger_tool_change", null);
      clients.get(0).callTool("test_trigger_prompt_change", null);
      expect(stream, "notifications/prompts/list_changed", id);
    }
  }

  @Test
  void severalListensOfOneClientEachGetTheirOwnSubscriptionId() {
    ObjectNode tools = Json.object().put("toolsListChanged", true);
    List<JsonNode> ids = List.of(ModernClient.id("multi-1-" + System.nanoTime()), IntNode.valueOf(7001),
        ModernClient.id("multi-3-" + System.nanoTime()));
    try (Exchange first = listen(clients.get(0), ids.get(0), tools);
        Exchange second = listen(clients.get(1), ids.get(1), tools);
        Exchange third = listen(clients.get(0), ids.get(2), tools)) {
      List<Exchange> streams = List.of(first, second, third);
      for (int i = 0; i < streams.size(); i++) acknowledged(streams.get(i), ids.get(i));
      clients.get(2).callTool("test_trigger_tool_change", null);
      for (int i = 0; i < streams.size(); i++) expect(streams.get(i), "notifications/tools/list_changed", ids.get(i));
    }
  }

  @Test
  void everyRoundAChangeTriggeredRightAfterTheAcknowledgementOnAnotherNodeArrives() {
    for (int round = 0; round < ROUNDS; round++) {
      ModernClient listening = clients.get(round % 3);
      ModernClient toolsTrigger = clients.get((round + 1) % 3);
      ModernClient resourceTrigger = clients.get((round + 2) % 3);
      String uri = "test://notes/round-" + round;
      JsonNode id = ModernClient.id("round-" + round);
      ObjectNode wanted = Json.object().put("toolsListChanged", true);
      wanted.putArray("resourceSubscriptions").add(uri);
      String where = "round " + round;
      try (Exchange stream = listen(listening, id, wanted)) {
        acknowledged(stream, id);
        toolsTrigger.callTool("test_trigger_tool_change", null);
        assertEquals("notifications/tools/list_changed", nextMethod(stream, id, where), where);
        resourceTrigger.callTool("update_resource", Json.object().put("uri", uri));
        JsonNode updated = stream.next();
        assertNotNull(updated, where + ": the stream ended");
        assertEquals("notifications/resources/updated", updated.path("method").asText(), () -> where + ": " + updated);
        assertEquals(uri, updated.path("params").path("uri").asText(), where);
        if (round == ROUNDS - 1) {
          toolsTrigger.callTool("test_trigger_tool_change", null);
          assertEquals("notifications/tools/list_changed", nextMethod(stream, id, where), where + ": a duplicate came first");
        }
      }
    }
  }

  // ------------------------------------------------------------------ helpers

  private static Exchange listen(ModernClient client, JsonNode id, ObjectNode notifications) {
    Exchange stream = client.open(client.request(id, "subscriptions/listen", Json.object().set("notifications", notifications)));
    assertEquals(200, stream.status);
    assertTrue(stream.isStream(), () -> "not a stream: " + stream.contentType + " " + stream.next());
    return stream;
  }

  /** Reads the acknowledgement (the first event) and returns the filter it honours. */
  private static JsonNode acknowledged(Exchange stream, JsonNode id) {
    JsonNode ack = expect(stream, "notifications/subscriptions/acknowledged", id);
    return ack.path("params").path("notifications");
  }

  /** The next event is {@code method}, tagged with subscription {@code id}. */
  private static JsonNode expect(Exchange stream, String method, JsonNode id) {
    JsonNode event = stream.next();
    assertNotNull(event, () -> "the stream ended before " + method);
    assertEquals(method, event.path("method").asText(), event::toString);
    assertEquals(id, event.path("params").path("_meta").path(ModernClient.META_SUBSCRIPTION_ID), event::toString);
    return event;
  }

  private static String nextMethod(Exchange stream, JsonNode id, String where) {
    JsonNode event = stream.next();
    assertNotNull(event, () -> where + ": the stream ended");
    assertEquals(id, event.path("params").path("_meta").path(ModernClient.META_SUBSCRIPTION_ID), event::toString);
    return event.path("method").asText();
  }

  private static String text(JsonNode response) {
    assertNotNull(response.get("result"), () -> "not a result: " + response);
    return response.path("result").path("content").path(0).path("text").asText();
  }
}
