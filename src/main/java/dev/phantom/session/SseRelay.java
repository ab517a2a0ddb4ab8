package dev.phantom.session;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Behaviors;
import akka.util.ByteString;

/**
 * Holds the HTTP response queue of an SSE connection on this node for a stream that may live on
 * another node: a session's GET stream (which lives on the session's home node, so that its events
 * outlive the node that serves the connection) or a resumption with {@code Last-Event-ID} that landed
 * elsewhere. The stream sends its events here. A full queue closes the connection (the client resumes
 * again) rather than dropping an event.
 */
public final class SseRelay {
  public sealed interface Command {}

  /** The {@code number}th event for this connection (1, 2, ...): a gap means one was lost on the way. */
  public record Deliver(byte[] event, long number) implements Command, ClusterMessage {}

  /** The stream now writing to this connection (it tells the relay when it attaches). */
  public record Bound(ActorRef<StreamActor.Command> stream) implements Command, ClusterMessage {}

  public enum Complete implements Command, ClusterMessage {
    INSTANCE
  }

  /** The HTTP connection ended ({@code completed}: after its last event); the relay stops and tells the stream. */
  public record ConnectionEnded(boolean completed) implements Command {}

  private SseRelay() {}

  /** A relay for {@code queue}; {@code stream} may be null until the stream tells it {@link Bound}. */
  public static Behavior<Command> create(
      SseQueue queue, ActorRef<StreamActor.Command> stream, long connectionId) {
    return relay(queue, stream, connectionId, 0);
  }

  private static Behavior<Command> relay(
      SseQueue queue, ActorRef<StreamActor.Command> stream, long connectionId, long received) {
    // One lambda, not a built receive: a relay lives as long as its connection, one per open stream.
    return Behaviors.receive((ctx, message) -> {
      if (message instanceof Deliver m) {
        if (m.number() != received + 1) {
          // An event was lost between the nodes: writing the next would skip it for good (the client's
          // Last-Event-ID moves past it). Close instead; the client resumes from the last one it has.
          ctx.getLog().warn("SSE connection {}: relayed event {} arrived after {}; closing so the client resumes",
              connectionId, m.number(), received);
          queue.complete();
          if (stream != null) stream.tell(new StreamActor.ConnectionLost(connectionId, false));
          return Behaviors.stopped();
        }
        if (!queue.offer(ByteString.fromArrayUnsafe(m.event()))) {
          // Full (the client does not read) or gone; the client resumes with Last-Event-ID.
          ctx.getLog().debug("SSE connection {} refused an event: closing it", connectionId);
          queue.complete();
          if (stream != null) stream.tell(new StreamActor.ConnectionLost(connectionId, false));
          return Behaviors.stopped();
        }
        return relay(queue, stream, connectionId, m.number());
      }
      if (message instanceof Bound m) return relay(queue, m.stream(), connectionId, received);
      if (message == Complete.INSTANCE) {
        queue.complete();
        return Behaviors.stopped();
      }
      if (message instanceof ConnectionEnded m) {
        // Unbound yet: the stream that attaches later notices the relay's end by watching it.
        if (stream != null) stream.tell(new StreamActor.ConnectionLost(connectionId, m.completed()));
        return Behaviors.stopped();
      }
      return Behaviors.unhandled();
    });
  }
}
