package dev.phantom.session;

import akka.actor.typed.ActorRef;
import akka.stream.QueueOfferResult;
import akka.stream.BoundedSourceQueue;
import akka.util.ByteString;

/**
 * Where a stream's events go while a client is connected: the HTTP response's queue on this node, or
 * a relay actor on the node that received the client's (re)connection.
 */
public sealed interface SseSink {
  /** Offers one event; false when the connection cannot take it (full or gone): the stream then drops the sink. */
  boolean offer(ByteString event);

  /** Ends the connection after what was offered (the stream itself may continue). */
  void complete();

  /** Identifies the connection, to ignore late "connection lost" signals of an older one. */
  long connectionId();

  record Local(BoundedSourceQueue<ByteString> queue, long connectionId) implements SseSink {
    public boolean offer(ByteString event) {
      return queue.offer(event) == QueueOfferResult.enqueued();
    }

    public void complete() {
      completeQuietly(queue);
    }
  }

  /**
   * Completes a response queue that the connection may already have closed (the client left, or a
   * full queue was given up): the queue then refuses with an exception, and there is nothing to end.
   */
  static void completeQuietly(BoundedSourceQueue<ByteString> queue) {
    try {
      queue.complete();
    } catch (IllegalStateException alreadyClosed) {
      // the connection ended first
    }
  }

  record Remote(ActorRef<SseRelay.Command> relay, long connectionId) implements SseSink {
    public boolean offer(ByteString event) {
      relay.tell(new SseRelay.Deliver(event.toArray()));
      return true;
    }

    public void complete() {
      relay.tell(SseRelay.Complete.INSTANCE);
    }
  }
}
