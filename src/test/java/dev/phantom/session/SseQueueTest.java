package dev.phantom.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.stream.javadsl.Sink;
import akka.util.ByteString;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The queue of one SSE response: what reaches the connection, and what its owner is told at the end. */
class SseQueueTest {
  // Akka's subscription timeout cut to 200 ms: a response rendered after it must still get its events.
  private static final ActorTestKit kit = ActorTestKit.create(
      ConfigFactory.parseString("akka.stream.materializer.subscription-timeout.timeout = 200ms"));
  private static final Duration NO_KEEP_ALIVE = Duration.ofMinutes(10);

  @AfterAll
  static void stop() {
    kit.shutdownTestKit();
  }

  private static ByteString event(String text) {
    return ByteString.fromString("data: " + text + "\n\n");
  }

  @Test
  void eventsOfferedBeforeAndAfterALateRenderingArriveInOrderThenTheEndIsReported() throws Exception {
    SseQueue queue = SseQueue.open(16, NO_KEEP_ALIVE, Duration.ofMinutes(1), kit.system());
    assertTrue(queue.offer(event("one")));
    CompletableFuture<Boolean> ended = new CompletableFuture<>();
    var source = queue.source(ended::complete);
    // The scenario itself: rendered well after the subscription timeout of a published queue.
    Thread.sleep(1_000);
    var received = source.runWith(Sink.seq(), kit.system()).toCompletableFuture();
    assertTrue(queue.offer(event("two")));
    queue.complete();
    assertFalse(queue.offer(event("three")), "nothing is queued after complete");
    assertEquals(List.of(event("one"), event("two")), received.get(10, TimeUnit.SECONDS));
    assertTrue(ended.get(10, TimeUnit.SECONDS), "ended after its last event");
  }

  @Test
  void aClosedConnectionIsReportedAndRefusesLaterEvents() throws Exception {
    SseQueue queue = SseQueue.open(16, NO_KEEP_ALIVE, Duration.ofMinutes(1), kit.system());
    CompletableFuture<Boolean> ended = new CompletableFuture<>();
    queue.source(ended::complete).take(1).runWith(Sink.ignore(), kit.system());
    assertTrue(queue.offer(event("one")));
    assertFalse(ended.get(10, TimeUnit.SECONDS), "the connection closed before the end");
    assertFalse(queue.offer(event("two")));
  }

  @Test
  void aFullQueueRefusesAnEvent() {
    SseQueue queue = SseQueue.open(2, NO_KEEP_ALIVE, Duration.ofMinutes(1), kit.system());
    assertTrue(queue.offer(event("one")));
    assertTrue(queue.offer(event("two")));
    assertFalse(queue.offer(event("three")));
  }

  @Test
  void aResponseNeverRenderedEndsTheQueue() throws Exception {
    SseQueue queue = SseQueue.open(16, NO_KEEP_ALIVE, Duration.ofMillis(100), kit.system());
    CompletableFuture<Boolean> ended = new CompletableFuture<>();
    queue.source(ended::complete);
    assertFalse(ended.get(10, TimeUnit.SECONDS), "given up, as a lost connection");
    assertFalse(queue.offer(event("late")));
  }

  @Test
  void anIdleConnectionGetsCommentKeepAlives() throws Exception {
    SseQueue queue = SseQueue.open(16, Duration.ofMillis(50), Duration.ofMinutes(1), kit.system());
    var received = queue.source(ended -> {}).take(2).runWith(Sink.seq(), kit.system()).toCompletableFuture();
    assertEquals(List.of(Sse.KEEP_ALIVE, Sse.KEEP_ALIVE), received.get(10, TimeUnit.SECONDS));
  }

  @Test
  void aResponseIsRenderedOnce() throws Exception {
    SseQueue queue = SseQueue.open(16, NO_KEEP_ALIVE, Duration.ofMinutes(1), kit.system());
    var source = queue.source(ended -> {});
    source.runWith(Sink.ignore(), kit.system());
    var second = source.runWith(Sink.ignore(), kit.system()).toCompletableFuture();
    ExecutionException failed = assertThrows(ExecutionException.class, () -> second.get(10, TimeUnit.SECONDS));
    assertTrue(failed.getCause() instanceof IllegalStateException, String.valueOf(failed.getCause()));
  }
}
