package dev.phantom.http;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Behaviors;
import akka.cluster.ClusterEvent;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.Subscribe;
import dev.phantom.session.Directory;
import dev.phantom.session.SessionActor;

/**
 * Tells every session homed on this node when a member is removed from the cluster (downed and gone
 * for good), so the sessions release the requests that ran there: one cluster-event subscription per
 * node instead of a remote watch per request. Removal, not unreachability: an unreachable node may
 * come back and finish its requests.
 */
final class NodeLossNotice {
  private NodeLossNotice() {}

  static Behavior<ClusterEvent.MemberRemoved> behavior(ActorRef<Directory.Command> sessions) {
    return Behaviors.setup(ctx -> {
      Cluster.get(ctx.getSystem()).subscriptions().tell(Subscribe.create(ctx.getSelf(), ClusterEvent.MemberRemoved.class));
      return Behaviors.receiveMessage(removed -> {
        sessions.tell(new Directory.Broadcast(new SessionActor.NodeLost(removed.member().address())));
        return Behaviors.same();
      });
    });
  }
}
