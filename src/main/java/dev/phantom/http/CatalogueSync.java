package dev.phantom.http;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Behaviors;
import dev.phantom.mcp.McpServer;
import dev.phantom.session.ClusterMessage;
import dev.phantom.util.SystemActors;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * Applies a named catalogue change (registered on every node) on every node of the cluster, and
 * completes once all visible nodes confirmed it (or at the timeout), so the single list_changed
 * announced afterwards never sends a client to a node that does not have the change yet. The change is
 * sent to each member's sync actor directly (not published through pub-sub, whose registry learns of a
 * new node a gossip round after it is Up, so a node that had just joined missed changes).
 */
final class CatalogueSync {
  /** The per-node actor's name under {@code /system}. */
  static final String NAME = "phantom-catalogue";

  sealed interface Command {}

  /** Sent to every node's sync actor, which applies the change and answers. */
  record Apply(String change, ActorRef<Applied> replyTo) implements Command, ClusterMessage {}

  record Applied(boolean known) implements ClusterMessage {}

  private CatalogueSync() {}

  /** The per-node actor applying published changes to this node's server. */
  static Behavior<Command> node(McpServer server, Map<String, Consumer<McpServer>> changes) {
    return Behaviors.setup(ctx ->
      Behaviors.receive(Command.class)
          .onMessage(Apply.class, m -> {
            Consumer<McpServer> change = changes.get(m.change());
            if (change != null) change.accept(server);
            else ctx.getLog().warn("catalogue change {} is not registered on this node", m.change());
            m.replyTo().tell(new Applied(change != null));
            return Behaviors.same();
          })
          .build());
  }

  private enum Timeout {
    INSTANCE
  }

  /** One cluster-wide application: send to every node's sync actor, then count their answers. */
  static Behavior<Object> apply(String change, Collection<String> nodeAddresses, Duration timeout, CompletableFuture<Integer> done) {
    int expectedNodes = nodeAddresses.size();
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
      for (String address : nodeAddresses) {
        SystemActors.<Command>on(ctx.getSystem(), address, NAME).tell(new Apply(change, ctx.getSelf().narrow()));
      }
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
