package dev.phantom.session;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Behaviors;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The server-to-client requests (elicitation, sampling, ping) waiting for the client's answer on this
 * node, by id. The id is minted here ({@code Tracker.mintId}), so it names this node: the node that
 * receives the client's answer POST sends it straight to this node's {@link #behavior actor}, one
 * message to the waiting request instead of a detour through the session's home.
 *
 * <p>A request registers its id before it writes the request to the client, so the answer always finds
 * it; the entry leaves with the answer, the request's timeout or its end. An answer counts only from the
 * session the request belongs to.
 *
 * <p>Example (what {@code RequestActor} does for {@code ctx.elicitForm(...)}):
 *
 * <pre>{@code
 * String id = tracker.mintId();
 * if (pendingAnswers.await(id, sessionId, principal, self, 16))   // then write the request with this id
 * ...                                          // self gets RequestActor.Answered(id, result, error)
 * pendingAnswers.forget(id);                   // on timeout or when the request ends first
 * }</pre>
 */
public final class PendingAnswers {
  public static final String NAME = "phantom-answers";

  public sealed interface Command {}

  /** A client's answer to the request {@code id}, POSTed with {@code sessionId} on any node. */
  public record Deliver(String sessionId, String principal, String id, JsonNode result, ObjectNode error,
      ActorRef<Delivered> replyTo) implements Command, ClusterMessage {}

  /**
   * Whether a request of that session was waiting for the answer (else 400 or 404 for the client);
   * {@code otherPrincipal} when it was, but the answer came from another principal (403).
   */
  public record Delivered(boolean accepted, boolean otherPrincipal) implements ClusterMessage {}

  private record Waiter(String sessionId, String principal, ActorRef<RequestActor.Command> request) {}

  private final ConcurrentMap<String, Waiter> waiting = new ConcurrentHashMap<>();
  /** Waiters per session on this node, for max-pending-server-requests. */
  private final ConcurrentMap<String, java.util.concurrent.atomic.AtomicInteger> perSession = new ConcurrentHashMap<>();

  /**
   * Registers {@code request} as waiting for the answer to {@code id} from {@code sessionId} and its
   * {@code principal}; false (nothing registered) when the session already has {@code limit} waiting here.
   */
  public boolean await(String id, String sessionId, String principal, ActorRef<RequestActor.Command> request, int limit) {
    java.util.concurrent.atomic.AtomicInteger count =
        perSession.computeIfAbsent(sessionId, s -> new java.util.concurrent.atomic.AtomicInteger());
    if (count.incrementAndGet() > limit) {
      release(sessionId);
      return false;
    }
    waiting.put(id, new Waiter(sessionId, principal, request));
    return true;
  }

  /** The request no longer waits for {@code id} (timed out or ended); a later answer is refused. */
  public void forget(String id) {
    Waiter waiter = waiting.remove(id);
    if (waiter != null) release(waiter.sessionId());
  }

  /** How many answers {@code sessionId}'s requests await on this node. */
  public int waitingFor(String sessionId) {
    java.util.concurrent.atomic.AtomicInteger count = perSession.get(sessionId);
    return count == null ? 0 : count.get();
  }

  private void release(String sessionId) {
    perSession.computeIfPresent(sessionId, (s, count) -> count.decrementAndGet() <= 0 ? null : count);
  }

  /** This node's receiver of answers (spawned once per node under {@link #NAME}). */
  public Behavior<Command> behavior() {
    return Behaviors.receiveMessage(message -> {
      if (message instanceof Deliver m) {
        Waiter waiter = waiting.get(m.id());
        boolean ofSession = waiter != null && waiter.sessionId().equals(m.sessionId());
        boolean otherPrincipal = ofSession && !java.util.Objects.equals(waiter.principal(), m.principal());
        boolean accepted = ofSession && !otherPrincipal && waiting.remove(m.id(), waiter);
        if (accepted) {
          release(waiter.sessionId());
          waiter.request().tell(new RequestActor.Answered(m.id(), m.result(), m.error()));
        }
        m.replyTo().tell(new Delivered(accepted, otherPrincipal));
      }
      return Behaviors.same();
    });
  }
}
