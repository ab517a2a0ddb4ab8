package dev.phantom.session;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.Terminated;
import akka.actor.typed.javadsl.Behaviors;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentMap;

/**
 * A node's registry of one kind of actor (sessions, streams) by id: it spawns them as its children under
 * their id, and answers lookups from any node. An id names its home node ({@code HomedIds}), so a lookup
 * goes straight to the one directory that can answer it authoritatively: "unknown" from the home means
 * unknown (no replication lag involved).
 */
public final class Directory {
  public static final String SESSIONS = "phantom-sessions";
  public static final String STREAMS = "phantom-streams";
  public static final String RELAYS = "phantom-relays";
  public static final String LISTENERS = "phantom-listeners";

  public sealed interface Command {}

  /** Local only: spawn {@code behavior} under {@code id}. */
  public record Spawn(String id, Behavior<?> behavior, CompletableFuture<ActorRef<?>> reply) implements Command {}

  public record Lookup(String id, ActorRef<Found> replyTo) implements Command, ClusterMessage {}

  /**
   * Sessions directory: hands a request's registration to the session, or tells the request at once
   * that there is no such session. (A watch would not do: a session addressed by path without its uid
   * can be reported dead under its uid, which the watcher does not recognize.)
   */
  public record RegisterWithSession(String id, SessionActor.RegisterRequest register) implements Command, ClusterMessage {}

  /** A request of session {@code sessionId} ended (see {@link DoneNotices}). */
  public record Ended(String sessionId, String requestId, ActorRef<RequestActor.Command> request) implements ClusterMessage {}

  /** Sessions directory: requests served on another node ended; each session here is told of its own. */
  public record RequestsEnded(java.util.List<Ended> ended) implements Command, ClusterMessage {}

  /** Local only: tell every registered actor {@code message} (which must be in its protocol). */
  public record Broadcast(Object message) implements Command {}

  /** The answer to a lookup; {@code ref} is null when the id is unknown. */
  public record Found(ActorRef<?> ref) implements ClusterMessage {
    public Optional<ActorRef<?>> asOptional() {
      return Optional.ofNullable(ref);
    }
  }

  private Directory() {}

  public static Behavior<Command> create() {
    return create(null);
  }

  /**
   * A directory that also keeps {@code view} (id → actor) up to date for lookups on this node without
   * a message round trip. It is the only writer of the view; an actor leaves it when the directory
   * learns of its termination, as a lookup by message would.
   */
  public static Behavior<Command> create(ConcurrentMap<String, ActorRef<?>> view) {
    return Behaviors.setup(ctx -> Behaviors.receive(Command.class)
        .onMessage(Spawn.class, m -> {
          if (ctx.getChild(m.id()).isPresent()) {
            m.reply().completeExceptionally(new IllegalStateException("id in use: " + m.id()));
          } else {
            ActorRef<?> child = ctx.spawn(m.behavior(), m.id());
            if (view != null) {
              view.put(m.id(), child);
              ctx.watch(child);
            }
            m.reply().complete(child);
          }
          return Behaviors.same();
        })
        .onSignal(Terminated.class, t -> {
          if (view != null) view.remove(t.getRef().path().name(), t.getRef());
          return Behaviors.same();
        })
        .onMessage(Broadcast.class, m -> {
          ctx.getChildren().forEach(child -> child.unsafeUpcast().tell(m.message()));
          return Behaviors.same();
        })
        .onMessage(RegisterWithSession.class, m -> {
          Optional<ActorRef<Void>> session = ctx.getChild(m.id());
          if (session.isPresent()) session.get().unsafeUpcast().tell(m.register());
          else m.register().request().tell(RequestActor.NoSession.INSTANCE);
          return Behaviors.same();
        })
        .onMessage(RequestsEnded.class, m -> {
          for (Ended e : m.ended()) {
            ctx.getChild(e.sessionId()).ifPresent(session ->
                session.unsafeUpcast().tell(new SessionActor.RequestDone(e.requestId(), e.request())));
          }
          return Behaviors.same();
        })
        .onMessage(Lookup.class, m -> {
          m.replyTo().tell(new Found(ctx.getChild(m.id()).orElse(null)));
          return Behaviors.same();
        })
        .build());
  }
}
