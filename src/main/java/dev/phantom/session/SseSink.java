package dev.phantom.session;

import akka.actor.typed.ActorRef;
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

  record Local(SseQueue queue, long connectionId) implements SseSink {
    public boolean offer(ByteString event) {
      return queue.offer(event);
    }

    public void complete() {
      queue.complete();
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
