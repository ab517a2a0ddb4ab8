package dev.phantom.tracker;

import akka.actor.Address;
import akka.cluster.MemberStatus;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * This node's view of the cluster membership, as far as the tracker cares: which owners' entries reads
 * show, and which owners' entries the leader deletes. Fed the membership events as plain data; it calls
 * nothing and sends nothing (the replica applies its answers), so it is tested without a cluster.
 *
 * <ul>
 *   <li><b>Visible</b>: this node, and every member that is WeaklyUp, Up, Leaving or Exiting and not
 *       unreachable. Hidden at once when unreachable, downed or removed; visible again when reachable.
 *   <li><b>Owners are incarnations</b> ({@link NodeId}: address and uid): a node restarted on the same
 *       address is a new owner, and its predecessor, once removed, is never visible again.
 *   <li><b>Deleted by the leader</b>: a removed owner's entries when it is removed, again when this node
 *       becomes leader (the node that left may have been the leader), and entries of a removed owner that
 *       arrive late. One node deletes, not every node.
 *   <li><b>Sweep</b>: the leader also deletes entries of any owner that has been absent from the
 *       membership for {@code sweepGrace} (a member this node has not seen yet is not deleted).
 * </ul>
 *
 * Owned by the replica actor and used from its thread only.
 */
final class MembershipView {
  private static final Set<MemberStatus> VISIBLE_STATUSES =
      Set.of(MemberStatus.weaklyUp(), MemberStatus.up(), MemberStatus.leaving(), MemberStatus.exiting());

  private final NodeId self;
  private final Address selfAddress;
  private final long sweepGraceNanos;
  private final Map<NodeId, MemberStatus> members = new HashMap<>();
  private final Set<NodeId> unreachable = new HashSet<>();
  private final Map<NodeId, Long> absentSince = new HashMap<>();
  /** Removed incarnations whose entries may still be in the replicated state (pruned by the sweep). */
  private final Set<NodeId> removedOwners = new HashSet<>();
  private Address leader;

  MembershipView(NodeId self, Address selfAddress, Duration sweepGrace) {
    this.self = self;
    this.selfAddress = selfAddress;
    this.sweepGraceNanos = sweepGrace.toNanos();
  }

  /** A member's status changed (any member event but its removal). */
  void memberStatus(NodeId node, MemberStatus status) {
    members.put(node, status);
  }

  /** @return the owners whose entries to delete now: the removed one if this node is the leader */
  Set<NodeId> memberRemoved(NodeId gone) {
    members.remove(gone);
    unreachable.remove(gone);
    removedOwners.add(gone);
    return isLeader() ? Set.of(gone) : Set.of();
  }

  void unreachable(NodeId node) {
    unreachable.add(node);
  }

  void reachable(NodeId node) {
    unreachable.remove(node);
  }

  /**
   * @param newLeader the leader's address, null when there is none
   * @return the owners whose entries to delete now: every removed owner if this node became the leader,
   *     which may have seen their removal before it was leader (the old leader being the node that left)
   */
  Set<NodeId> leaderChanged(Address newLeader) {
    leader = newLeader;
    return isLeader() && !removedOwners.isEmpty() ? Set.copyOf(removedOwners) : Set.of();
  }

  boolean isLeader() {
    return selfAddress.equals(leader);
  }

  /** Which owners' entries to delete when they arrive late (a delta or gossip after their removal). */
  Predicate<NodeId> lateArrivalsToDelete() {
    return isLeader() && !removedOwners.isEmpty() ? removedOwners::contains : owner -> false;
  }

  /** The owners reads show, and every known member by uid. */
  PresenceIndex.Membership membership() {
    Set<NodeId> visible = new HashSet<>();
    Map<Long, NodeId> byUid = new HashMap<>();
    visible.add(self);
    byUid.put(self.uid(), self);
    members.forEach((node, status) -> {
      byUid.put(node.uid(), node);
      if (VISIBLE_STATUSES.contains(status) && !unreachable.contains(node)) visible.add(node);
    });
    return new PresenceIndex.Membership(Set.copyOf(visible), Map.copyOf(byUid));
  }

  /** How many members are Up (this node included once it is). */
  long upCount() {
    return members.values().stream().filter(MemberStatus.up()::equals).count();
  }

  /**
   * One sweep. Not the leader: forgets when owners went absent (a later leadership starts the grace
   * afresh). The leader: the owners with entries that have been absent from the membership for the
   * grace period.
   *
   * @param now {@link System#nanoTime()}
   * @param ownersInData every owner with an entry in the replicated data (asked only of the leader)
   * @return the owners whose entries to delete
   */
  Set<NodeId> sweep(long now, Supplier<Set<NodeId>> ownersInData) {
    if (!isLeader()) {
      absentSince.clear();
      return Set.of();
    }
    Set<NodeId> owners = new HashSet<>(ownersInData.get());
    owners.remove(self);
    owners.removeIf(members::containsKey);
    removedOwners.retainAll(owners);
    absentSince.keySet().retainAll(owners);
    Set<NodeId> expired = new HashSet<>();
    for (NodeId owner : owners) {
      long since = absentSince.computeIfAbsent(owner, o -> now);
      if (now - since >= sweepGraceNanos) expired.add(owner);
    }
    return expired;
  }
}
