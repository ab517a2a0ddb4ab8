package dev.phantom.session;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Behaviors;
import akka.stream.QueueOfferResult;
import akka.stream.BoundedSourceQueue;
import akka.util.ByteString;

/**
 * Holds the HTTP response queue of a connection whose stream lives on another node (a resumption with
 * {@code Last-Event-ID} that landed elsewhere): the stream sends its events here. A full queue closes
 * the connection (the client resumes again) rather than dropping an event.
 */
public final class SseRelay {
  public sealed interface Command {}

  public record Deliver(byte[] event) implements Command, ClusterMessage {}

  public enum Complete implements Command, ClusterMessage {
    INSTANCE
  }

  /** The HTTP connection ended (client gone); the relay stops and tells the stream. */
  public enum ConnectionEnded implements Command {
    INSTANCE
  }

  private SseRelay() {}

  public static Behavior<Command> create(
      BoundedSourceQueue<ByteString> queue, ActorRef<StreamActor.Command> stream, long connectionId) {
    return Behaviors.receive(Command.class)
        .onMessage(Deliver.class, m -> {
          if (queue.offer(ByteString.fromArrayUnsafe(m.event())) != QueueOfferResult.enqueued()) {
            queue.complete();
            stream.tell(new StreamActor.ConnectionLost(connectionId));
            return Behaviors.stopped();
          }
          return Behaviors.same();
        })
        .onMessageEquals(Complete.INSTANCE, () -> {
          queue.complete();
          return Behaviors.stopped();
        })
        .onMessageEquals(ConnectionEnded.INSTANCE, () -> {
          stream.tell(new StreamActor.ConnectionLost(connectionId));
          return Behaviors.stopped();
        })
        .build();
  }
}
