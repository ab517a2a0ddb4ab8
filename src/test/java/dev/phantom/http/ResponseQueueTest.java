package dev.phantom.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import akka.NotUsed;
import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.japi.Pair;
import akka.stream.BoundedSourceQueue;
import akka.stream.Materializer;
import akka.stream.QueueOfferResult;
import akka.stream.javadsl.Sink;
import akka.stream.javadsl.Source;
import akka.util.ByteString;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * A GET's response queue exists before its response is rendered (the open waits for the session's
 * home). Akka's default subscription timeout is cut to 200 ms here: the queue must outlast it.
 */
class ResponseQueueTest {
  private static final ActorTestKit kit = ActorTestKit.create(
      ConfigFactory.parseString("akka.stream.materializer.subscription-timeout.timeout = 200ms"));

  @AfterAll
  static void stop() {
    kit.shutdownTestKit();
  }

  @Test
  void aResponseRenderedAfterTheDefaultSubscriptionTimeoutStillGetsItsEvents() throws Exception {
    Materializer materializer = Materializer.matFromSystem(kit.system());
    Pair<BoundedSourceQueue<ByteString>, Source<ByteString, NotUsed>> queue =
        ResponseQueue.open(materializer, 16, Duration.ofSeconds(30));
    assertEquals(QueueOfferResult.enqueued(), queue.first().offer(ByteString.fromString(": opened\n\n")));
    // The scenario itself: the response is rendered (subscribed) well after Akka's default would have
    // cancelled the publisher.
    Thread.sleep(1_000);
    var received = queue.second().take(2).runWith(Sink.seq(), materializer).toCompletableFuture();
    assertEquals(QueueOfferResult.enqueued(), queue.first().offer(ByteString.fromString("data: event\n\n")));
    assertEquals(2, received.get(10, TimeUnit.SECONDS).size(), "both events reach the late subscriber");
  }
}
