package dev.phantom.http;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Adapter;
import akka.actor.typed.javadsl.Behaviors;
import akka.cluster.pubsub.DistributedPubSub;
import akka.cluster.pubsub.DistributedPubSubMediator;
import dev.phantom.mcp.McpServer;
import dev.phantom.session.ClusterMessage;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * Applies a named catalogue change (registered on every node) on every node of the cluster, and
 * completes once all visible nodes confirmed it (or at the timeout), so the single list_changed
 * announced afterwards never sends a client to a node that does not have the change yet.
 */
final class CatalogueSync {
  static final String TOPIC = "phantom:catalogue";

  sealed interface Command {}

  /** Published once; every node's sync actor applies the change and answers. */
  record Apply(String change, ActorRef<Applied> replyTo) implements Command, ClusterMessage {}

  record Applied(boolean known) implements ClusterMessage {}

  private CatalogueSync() {}

  /** The per-node actor applying published changes to this node's server. */
  static Behavior<Command> node(McpServer server, Map<String, Consumer<McpServer>> changes, boolean clustered) {
    return Behaviors.setup(ctx -> {
      if (clustered) {
        DistributedPubSub.get(Adapter.toClassic(ctx.getSystem())).mediator().tell(
            new DistributedPubSubMediator.Subscribe(TOPIC, Adapter.toClassic(ctx.getSelf())), akka.actor.ActorRef.noSender());
      }
      return Behaviors.receive(Command.class)
          .onMessage(Apply.class, m -> {
            Consumer<McpServer> change = changes.get(m.change());
            if (change != null) change.accept(server);
            else ctx.getLog().warn("catalogue change {} is not registered on this node", m.change());
            m.replyTo().tell(new Applied(change != null));
            return Behaviors.same();
          })
          .build();
    });
  }

  private enum Timeout {
    INSTANCE
  }

  /** One cluster-wide application: publish, then count the nodes' answers. */
  static Behavior<Object> apply(String change, int expectedNodes, Duration timeout, CompletableFuture<Integer> done) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
      DistributedPubSub.get(Adapter.toClassic(ctx.getSystem())).mediator().tell(
          new DistributedPubSubMediator.Publish(TOPIC, new Apply(change, ctx.getSelf().narrow())),
          akka.actor.ActorRef.noSender());
      timers.startSingleTimer(Timeout.INSTANCE, timeout);
      int[] applied = {0};
      int[] answers = {0};
      return Behaviors.receive(Object.class)
          .onMessage(Applied.class, a -> {
            answers[0]++;
            if (a.known()) applied[0]++;
            if (answers[0] >= expectedNodes) {
              done.complete(applied[0]);
              return Behaviors.stopped();
            }
            return Behaviors.same();
          })
          .onMessageEquals(Timeout.INSTANCE, () -> {
            done.complete(applied[0]);
            return Behaviors.stopped();
          })
          .build();
    }));
  }
}
