package dev.phantom.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.phantom.mcp.Json;
import dev.phantom.testkit.McpTestClient;
import dev.phantom.testkit.McpTestClient.Event;
import dev.phantom.testkit.McpTestClient.EventStream;
import dev.phantom.testkit.McpTestNode;
import dev.phantom.testkit.TestCluster;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The SSE response of a request is held back for {@code sse-hold-back} (1 s): a request answered in
 * time gets one complete body; a slower one streams from the end of the hold-back; one that sends
 * progress before its answer streams at once.
 */
class SseResponseTest {
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

  @Test
  void aFastAnswerIsOneCompleteSseBody() {
    McpTestClient c = node.client().initialize();
    McpTestClient.Reply r = c.post(McpTestClient.toolCall(c.nextId(), "echo", Json.object().put("text", "quick")), Map.of());
    assertEquals(200, r.status());
    assertTrue(r.header("content-type").startsWith("text/event-stream"), r.header("content-type"));
    assertNotNull(r.header("content-length"), () -> "a complete body has a length, not chunks: " + r.headers());
    String[] events = r.body().split("\n\n");
    assertEquals(2, events.length, r.body());
    assertTrue(events[0].startsWith("id: ") && events[0].contains("\nretry: ") && events[0].endsWith("data: "),
        "first the priming event: " + events[0]);
    assertTrue(events[1].contains("\"text\":\"quick\""), "then the result: " + events[1]);
  }

  @Test
  void aSlowAnswerStreamsOnceTheHoldBackIsOver() {
    McpTestClient c = node.client().initialize();
    // No progress token: nothing is written before the answer, 2.1 s after the call.
    ObjectNode call = McpTestClient.toolCall(c.nextId(), "slow_progress", Json.object().put("steps", 3).put("delayMs", 700));
    try (EventStream s = c.stream(call)) {
      assertEquals(200, s.status);
      Event priming = s.next();
      assertNull(priming.data(), "priming event first");
      Event last = s.next();
      assertNotNull(last);
      assertEquals("counted to 3", last.data().path("result").path("content").path(0).path("text").asText());
      // Streamed from the end of the 1 s hold-back: the priming event came about a second before the
      // answer (a body held back until the answer would bring both at once).
      long apartMs = (last.receivedNanos() - priming.receivedNanos()) / 1_000_000;
      assertTrue(apartMs >= 500, "the priming event arrived only " + apartMs + " ms before the answer");
    }
  }

  @Test
  void progressStreamsBeforeTheAnswer() {
    McpTestClient c = node.client().initialize();
    ObjectNode call = McpTestClient.toolCall(c.nextId(), "slow_progress", Json.object().put("steps", 3).put("delayMs", 700));
    ((ObjectNode) call.get("params")).putObject("_meta").put("progressToken", "p");
    try (EventStream s = c.stream(call)) {
      assertEquals(200, s.status);
      Event priming = s.next();
      assertNull(priming.data(), "priming event first");
      Event progress = s.next();
      assertEquals("notifications/progress", progress.data().path("method").asText());
      Event last = null;
      for (Event e = s.next(); e != null; e = s.next()) last = e;
      assertNotNull(last);
      assertEquals("counted to 3", last.data().path("result").path("content").path(0).path("text").asText());
      // Streamed: the first progress was read while the tool still had two 700 ms steps to go (a held
      // back body would bring every event at once).
      long apartMs = (last.receivedNanos() - progress.receivedNanos()) / 1_000_000;
      assertTrue(apartMs >= 700, "the first progress arrived only " + apartMs + " ms before the answer");
    }
  }
}
