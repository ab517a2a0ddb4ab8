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
 * pendingAnswers.await(id, sessionId, self);   // then write the request with this id
 * ...                                          // self gets RequestActor.Answered(id, result, error)
 * pendingAnswers.forget(id);                   // on timeout or when the request ends first
 * }</pre>
 */
public final class PendingAnswers {
  public static final String NAME = "phantom-answers";

  public sealed interface Command {}

  /** A client's answer to the request {@code id}, POSTed with {@code sessionId} on any node. */
  public record Deliver(String sessionId, String id, JsonNode result, ObjectNode error, ActorRef<Delivered> replyTo)
      implements Command, ClusterMessage {}

  /** Whether a request of that session was waiting for the answer (else 400 or 404 for the client). */
  public record Delivered(boolean accepted) implements ClusterMessage {}

  private record Waiter(String sessionId, ActorRef<RequestActor.Command> request) {}

  private final ConcurrentMap<String, Waiter> waiting = new ConcurrentHashMap<>();

  /** Registers {@code request} as waiting for the answer to {@code id} from {@code sessionId}. */
  public void await(String id, String sessionId, ActorRef<RequestActor.Command> request) {
    waiting.put(id, new Waiter(sessionId, request));
  }

  /** The request no longer waits for {@code id} (timed out or ended); a later answer is refused. */
  public void forget(String id) {
    waiting.remove(id);
  }

  /** This node's receiver of answers (spawned once per node under {@link #NAME}). */
  public Behavior<Command> behavior() {
    return Behaviors.receiveMessage(message -> {
      if (message instanceof Deliver m) {
        Waiter waiter = waiting.get(m.id());
        boolean accepted = waiter != null && waiter.sessionId().equals(m.sessionId()) && waiting.remove(m.id(), waiter);
        if (accepted) waiter.request().tell(new RequestActor.Answered(m.id(), m.result(), m.error()));
        m.replyTo().tell(new Delivered(accepted));
      }
      return Behaviors.same();
    });
  }
}
