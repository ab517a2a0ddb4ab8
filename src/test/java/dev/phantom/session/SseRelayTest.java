package dev.phantom.session;

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
    relay.tell(new SseRelay.Deliver("data: late\n\n".getBytes(StandardCharsets.UTF_8)));
    stream.expectMessage(new StreamActor.ConnectionLost(7, false));
    TestProbe<Object> watcher = kit.createTestProbe();
    watcher.expectTerminated(relay);
  }
}
