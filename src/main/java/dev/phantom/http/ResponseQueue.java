package dev.phantom.http;

import akka.NotUsed;
import akka.japi.Pair;
import akka.stream.ActorAttributes;
import akka.stream.BoundedSourceQueue;
import akka.stream.Materializer;
import akka.stream.StreamSubscriptionTimeoutTerminationMode;
import akka.stream.javadsl.AsPublisher;
import akka.stream.javadsl.Keep;
import akka.stream.javadsl.Sink;
import akka.stream.javadsl.Source;
import akka.util.ByteString;
import java.time.Duration;

/**
 * The queue an SSE response is written through: offered to by streams and relays, read by akka-http
 * once the response is rendered. Published to a single subscriber (no fan-out processor: one actor and
 * buffer less per open stream).
 *
 * <p>A GET's queue exists before its response does (the stream must be attached to it first, which can
 * take a round trip to the session's home, up to {@code lookup-timeout}). Akka cancels a publisher that
 * has no subscriber after {@code akka.stream.materializer.subscription-timeout} (5 s): under load a GET
 * answered 200 then closed at once, and its session missed every notification. So each queue waits for
 * its subscriber as long as {@code subscriberWait}, then is cancelled (a response abandoned unrendered
 * still frees its queue).
 */
final class ResponseQueue {
  private ResponseQueue() {}

  static Pair<BoundedSourceQueue<ByteString>, Source<ByteString, NotUsed>> open(
      Materializer materializer, int size, Duration subscriberWait) {
    Pair<BoundedSourceQueue<ByteString>, org.reactivestreams.Publisher<ByteString>> run =
        Source.<ByteString>queue(size)
            .toMat(Sink.<ByteString>asPublisher(AsPublisher.WITHOUT_FANOUT)
                .withAttributes(ActorAttributes.streamSubscriptionTimeout(
                    subscriberWait, StreamSubscriptionTimeoutTerminationMode.cancel())), Keep.both())
            .run(materializer);
    return Pair.create(run.first(), Source.fromPublisher(run.second()));
  }
}
