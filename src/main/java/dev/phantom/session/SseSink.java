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

  /**
   * A connection on another node, through its relay. Events are numbered per connection so the relay
   * notices one lost on the way (Artery may drop a message, e.g. when its queue overflows): it then
   * closes the connection and the client resumes from its last event, so nothing is skipped. Used by
   * its stream actor only.
   */
  final class Remote implements SseSink {
    private final ActorRef<SseRelay.Command> relay;
    private final long connectionId;
    private long delivered;

    public Remote(ActorRef<SseRelay.Command> relay, long connectionId) {
      this.relay = relay;
      this.connectionId = connectionId;
    }

    public ActorRef<SseRelay.Command> relay() {
      return relay;
    }

    public long connectionId() {
      return connectionId;
    }

    public boolean offer(ByteString event) {
      relay.tell(new SseRelay.Deliver(event.toArray(), ++delivered));
      return true;
    }

    public void complete() {
      relay.tell(SseRelay.Complete.INSTANCE);
    }
  }
}
