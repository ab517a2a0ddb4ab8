package dev.phantom.tracker;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Adapter;
import akka.cluster.pubsub.DistributedPubSubMediator;
import dev.phantom.tracker.TrackerProtocol.Count;
import dev.phantom.tracker.TrackerProtocol.Fanout;
import dev.phantom.tracker.TrackerProtocol.NotifyKind;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * One list_changed fan-out: publishes once through the pub-sub mediator (which sends once per node),
 * then sums the number of sessions each node reached. It completes when every visible node has
 * answered, or at the timeout with the counts received so far (a node that had not yet subscribed, or
 * died meanwhile, is not counted).
 */
final class FanoutAggregator {
  private enum Timeout {
    INSTANCE
  }

  private FanoutAggregator() {}

  static Behavior<Object> create(
      akka.actor.ActorRef mediator, NotifyKind kind, int expectedNodes, Duration timeout, CompletableFuture<Integer> reply) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
      ActorRef<Count> counts = ctx.getSelf().narrow();
      mediator.tell(
          new DistributedPubSubMediator.Publish(TrackerReplica.FANOUT_TOPIC, new Fanout(kind, counts)),
          Adapter.toClassic(ctx.getSelf()));
      timers.startSingleTimer(Timeout.INSTANCE, timeout);
      return collecting(expectedNodes, 0, 0, reply);
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
