package dev.phantom.tracker;

import akka.actor.typed.ActorRef;
import java.util.Map;

/**
 * Messages between nodes' tracker replicas. Each names the incarnation it is meant for ({@code
 * targetUid}), so a message for a node that has since restarted on the same address is refused rather
 * than applied to the new incarnation.
 */
final class TrackerProtocol {
  private TrackerProtocol() {}

  /** What a routed removal selects on the owner node. */
  enum Selection {
    /** Every entry of the actor, in every topic. */
    BY_REF,
    /** Every entry under the key in the topic. */
    BY_KEY,
    /** The one entry of the actor under the key in the topic. */
    BY_KEY_AND_REF
  }

  record RemoteUntrack(
      long targetUid, Selection selection, String topic, TrackerKey key, ActorRef<?> ref, ActorRef<Count> replyTo)
      implements TrackerReplica.Command, TrackerSerializable {}

  record RemoteUpdateMeta(
      long targetUid, String topic, TrackerKey key, Map<String, Object> patch, ActorRef<Count> replyTo)
      implements TrackerReplica.Command, TrackerSerializable {}

  record RemoteClaim(
      long targetUid, TrackerKey.Claim claim, ActorRef<?> holder, ActorRef<ClaimAnswer> replyTo)
      implements TrackerReplica.Command, TrackerSerializable {}

  record RemoteRelease(long targetUid, TrackerKey.Claim claim, ActorRef<?> holder)
      implements TrackerReplica.Command, TrackerSerializable {}

  record Count(int value) implements TrackerSerializable {}

  record ClaimAnswer(ClaimResult result) implements TrackerSerializable {}
}
