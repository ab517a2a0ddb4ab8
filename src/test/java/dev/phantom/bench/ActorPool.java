package dev.phantom.bench;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Behaviors;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A user guardian that spawns idle actors (they ignore every message and live until the system stops)
 * under fixed-width names, e.g. {@code akka://phantom/user/a-0042}, so every tracked entry has the same
 * path length.
 */
final class ActorPool {
  private ActorPool() {}

  /** The guardian's one command. */
  record Spawn(String prefix, int count, CompletableFuture<List<ActorRef<Object>>> reply) {}

  static Behavior<Spawn> guardian() {
    return Behaviors.setup(ctx -> Behaviors.receive(Spawn.class)
        .onMessage(Spawn.class, m -> {
          List<ActorRef<Object>> refs = new ArrayList<>(m.count());
          for (int i = 0; i < m.count(); i++) {
            refs.add(ctx.spawn(Behaviors.<Object>ignore(), String.format("%s%04d", m.prefix(), i)));
          }
          m.reply().complete(refs);
          return Behaviors.same();
        })
        .build());
  }

  /** Spawns {@code count} idle actors under the guardian of {@code system}. */
  static List<ActorRef<Object>> spawn(ActorSystem<Spawn> system, String prefix, int count) throws Exception {
    CompletableFuture<List<ActorRef<Object>>> reply = new CompletableFuture<>();
    system.tell(new Spawn(prefix, count, reply));
    return reply.get(60, TimeUnit.SECONDS);
  }
}
