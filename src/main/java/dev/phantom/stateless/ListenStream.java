package dev.phantom.stateless;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Behaviors;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.phantom.mcp.Json;
import dev.phantom.mcp.JsonRpc;
import dev.phantom.presence.SessionNotification;
import dev.phantom.presence.SessionTracker;
import dev.phantom.session.Sse;
import dev.phantom.session.SseQueue;

/**
 * One {@code subscriptions/listen} stream of MCP 2026-07-28, on the node that holds its connection: it
 * registers with this node's notification hub, writes the acknowledgement, then every notification
 * the filter accepts, each tagged with the subscription id (the listen request's id). The hub's
 * events come through DistributedPubSub from whichever node published them, so a change made on
 * another node reaches the stream; a registration is a local tell made before the acknowledgement is
 * written, so an event published after the client saw the acknowledgement is delivered.
 *
 * <p>The stream ends when its connection closes (the hub forgets it when it stops), when the client
 * does not read fast enough to keep its queue from filling (the client listens again), or at
 * shutdown, where it first writes the final result the revision defines for a graceful close.
 */
public final class ListenStream {
  /** What the stream accepts (besides {@link SessionNotification}s from the hub). */
  public sealed interface Command {}

  /** Ends the stream gracefully: the final result, then the end of the response. */
  public enum Close implements Command {
    INSTANCE
  }

  /** The client closed the connection (or it was never rendered): the stream stops, sending nothing more. */
  public enum ConnectionEnded implements Command {
    INSTANCE
  }

  private ListenStream() {}

  /**
   * A listen stream writing to {@code queue}; {@code requestId} is the listen request's id, which is
   * the subscription id; {@code listenerId} names it uniquely in the hub. Tell it {@link
   * ConnectionEnded} when the response ends.
   */
  public static Behavior<Object> create(JsonNode requestId, ListenFilter filter, SseQueue queue, String listenerId) {
    return Behaviors.setup(ctx -> {
      ActorRef<SessionNotification> self = ctx.getSelf().narrow();
      SessionTracker.get(ctx.getSystem()).listen(self, listenerId, filter.anyList(), filter.uris());
      ObjectNode ack = Json.object();
      ack.set("_meta", subscriptionMeta(requestId));
      ack.set("notifications", filter.acknowledged());
      queue.offer(event(JsonRpc.notification("notifications/subscriptions/acknowledged", ack)));
      return Behaviors.receive(Object.class)
          .onMessage(SessionNotification.class, n -> {
            if (!filter.accepts(n)) return Behaviors.same();
            ObjectNode params = Json.object();
            params.set("_meta", subscriptionMeta(requestId));
            if (n instanceof SessionNotification.ResourceUpdated u) params.put("uri", u.uri());
            String method = n instanceof SessionNotification.ListChanged l ? l.kind().method() : "notifications/resources/updated";
            // A full queue means the client stopped reading: end the stream rather than drop silently.
            if (!queue.offer(event(JsonRpc.notification(method, params)))) {
              queue.complete();
              return Behaviors.stopped();
            }
            return Behaviors.same();
          })
          .onMessageEquals(Close.INSTANCE, () -> {
            ObjectNode result = Json.object().put("resultType", "complete");
            result.set("_meta", subscriptionMeta(requestId));
            queue.offer(event(JsonRpc.result(requestId, result)));
            queue.complete();
            return Behaviors.same();
          })
          .onMessageEquals(ConnectionEnded.INSTANCE, Behaviors::stopped)
          .build();
    });
  }

  private static ObjectNode subscriptionMeta(JsonNode requestId) {
    ObjectNode meta = Json.object();
    meta.set("io.modelcontextprotocol/subscriptionId", requestId);
    return meta;
  }

  private static akka.util.ByteString event(JsonNode message) {
    return Sse.message(Json.writeBytes(message));
  }
}
