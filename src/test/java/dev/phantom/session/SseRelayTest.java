package dev.phantom.session;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The relay of an SSE connection whose response queue is already closed. */
class SseRelayTest {
  private static final ActorTestKit kit = ActorTestKit.create();

  @AfterAll
  static void stop() {
    kit.shutdownTestKit();
  }

  @Test
  void anEventForAClosedConnectionEndsTheRelayAndTellsTheStream() {
    SseQueue queue = SseQueue.open(4, Duration.ofSeconds(10), Duration.ofMinutes(1), kit.system());
    queue.complete(); // the connection ended first
    TestProbe<StreamActor.Command> stream = kit.createTestProbe();
    ActorRef<SseRelay.Command> relay = kit.spawn(SseRelay.create(queue, stream.getRef(), 7));
    relay.tell(new SseRelay.Deliver("data: late\n\n".getBytes(StandardCharsets.UTF_8), 1));
    stream.expectMessage(new StreamActor.ConnectionLost(7, false));
    TestProbe<Object> watcher = kit.createTestProbe();
    watcher.expectTerminated(relay);
  }

  @Test
  void aRelayedEventLostOnTheWayClosesTheConnectionBeforeTheNextIsWritten() {
    SseQueue queue = SseQueue.open(16, Duration.ofSeconds(10), Duration.ofMinutes(1), kit.system());
    java.util.List<String> written = new java.util.concurrent.CopyOnWriteArrayList<>();
    java.util.concurrent.CompletableFuture<Boolean> ended = new java.util.concurrent.CompletableFuture<>();
    queue.source(ended::complete)
        .runForeach(bytes -> written.add(bytes.utf8String()), akka.stream.Materializer.matFromSystem(kit.system()));
    TestProbe<StreamActor.Command> stream = kit.createTestProbe();
    ActorRef<SseRelay.Command> relay = kit.spawn(SseRelay.create(queue, stream.getRef(), 9));
    relay.tell(new SseRelay.Deliver("id: s:1\ndata: one\n\n".getBytes(StandardCharsets.UTF_8), 1));
    // event 2 was dropped between the nodes
    relay.tell(new SseRelay.Deliver("id: s:3\ndata: three\n\n".getBytes(StandardCharsets.UTF_8), 3));
    stream.expectMessage(new StreamActor.ConnectionLost(9, false));
    kit.createTestProbe().expectTerminated(relay);
    assertTrue(ended.orTimeout(5, java.util.concurrent.TimeUnit.SECONDS).join(), "the connection ends after what it got");
    String all = String.join("", written);
    assertTrue(all.contains("data: one"), all);
    assertFalse(all.contains("data: three"), "the event after the gap must not be written: " + all);
  }
}
