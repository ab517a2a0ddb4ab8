package dev.phantom.tracker;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Behaviors;
import dev.phantom.tracker.TrackerProtocol.Count;
import dev.phantom.tracker.TrackerProtocol.Fanout;
import dev.phantom.tracker.TrackerProtocol.NotifyKind;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * One list_changed fan-out: sends one {@link Fanout} to the tracker replica of every visible member
 * (this node's included), then sums the number of sessions each node reached. It completes when every
 * node has answered, or at the timeout with the counts received so far (a node that died meanwhile is
 * not counted). Sent to the members directly rather than published through pub-sub, whose registry
 * learns of a new node only a gossip round after it is Up: a node that had just joined missed
 * list_changed.
 */
final class FanoutAggregator {
  private enum Timeout {
    INSTANCE
  }

  private FanoutAggregator() {}

  static Behavior<Object> create(
      List<ActorRef<TrackerReplica.Command>> replicas, NotifyKind kind, Duration timeout, CompletableFuture<Integer> reply) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
      ActorRef<Count> counts = ctx.getSelf().narrow();
      for (ActorRef<TrackerReplica.Command> replica : replicas) replica.tell(new Fanout(kind, counts));
      timers.startSingleTimer(Timeout.INSTANCE, timeout);
      return collecting(replicas.size(), 0, 0, reply);
    }));
  }

  private static Behavior<Object> collecting(int expected, int answered, int reached, CompletableFuture<Integer> reply) {
    return Behaviors.receive(Object.class)
        .onMessage(Count.class, c -> {
          int nowAnswered = answered + 1;
          int nowReached = reached + c.value();
          if (nowAnswered >= expected) {
            reply.complete(nowReached);
            return Behaviors.stopped();
          }
          return collecting(expected, nowAnswered, nowReached, reply);
        })
        .onMessageEquals(Timeout.INSTANCE, () -> {
          reply.complete(reached);
          return Behaviors.stopped();
        })
        .build();
  }
}
