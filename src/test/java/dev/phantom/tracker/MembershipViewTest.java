package dev.phantom.tracker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.Address;
import akka.cluster.MemberStatus;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Which owners the membership view shows, and whose entries the leader deletes; no cluster needed. */
class MembershipViewTest {
  private static final long SECOND = Duration.ofSeconds(1).toNanos();

  private final NodeId self = new NodeId("akka://phantom@127.0.0.1:25520", 1);
  private final NodeId other = new NodeId("akka://phantom@127.0.0.1:25521", 2);
  private final NodeId third = new NodeId("akka://phantom@127.0.0.1:25522", 3);
  private final MembershipView view = new MembershipView(self, self.toAddress(), Duration.ofSeconds(10));

  private Set<NodeId> visible() {
    return view.membership().visible();
  }

  @Test
  void thisNodeIsAlwaysVisible() {
    assertEquals(Set.of(self), visible());
    view.memberStatus(self, MemberStatus.joining());
    assertEquals(Set.of(self), visible());
  }

  @Test
  void onlyWeaklyUpUpLeavingAndExitingMembersAreVisible() {
    view.memberStatus(other, MemberStatus.joining());
    assertFalse(visible().contains(other));
    for (MemberStatus status : Set.of(MemberStatus.weaklyUp(), MemberStatus.up(), MemberStatus.leaving(), MemberStatus.exiting())) {
      view.memberStatus(other, status);
      assertTrue(visible().contains(other), status.toString());
    }
    view.memberStatus(other, MemberStatus.down());
    assertFalse(visible().contains(other));
    assertEquals(other, view.membership().byUid().get(other.uid()), "a downed node is still a member");
  }

  @Test
  void unreachableIsHiddenAndVisibleAgainWhenReachable() {
    view.memberStatus(other, MemberStatus.up());
    view.unreachable(other);
    assertEquals(Set.of(self), visible());
    assertEquals(other, view.membership().byUid().get(other.uid()), "still a member while unreachable");

    view.reachable(other);
    assertEquals(Set.of(self, other), visible());
  }

  @Test
  void theLeaderDeletesARemovedNodesEntries() {
    view.memberStatus(self, MemberStatus.up());
    view.memberStatus(other, MemberStatus.up());
    assertEquals(Set.of(), view.leaderChanged(self.toAddress()), "nobody removed yet");

    assertEquals(Set.of(other), view.memberRemoved(other));
    assertEquals(Set.of(self), visible());
    assertNull(view.membership().byUid().get(other.uid()));
    assertTrue(view.lateArrivalsToDelete().test(other), "an entry of the removed node arriving late");
    assertFalse(view.lateArrivalsToDelete().test(third));
  }

  @Test
  void aFollowerDeletesNothingUntilItBecomesLeader() {
    view.memberStatus(other, MemberStatus.up());
    view.memberStatus(third, MemberStatus.up());
    view.leaderChanged(other.toAddress());

    assertEquals(Set.of(), view.memberRemoved(other));
    assertFalse(view.lateArrivalsToDelete().test(other));
    assertEquals(Set.of(), view.sweep(0, () -> Set.of(other)));

    // the removed node was the leader: the next one saw the removal before it led
    assertEquals(Set.of(other), view.leaderChanged(self.toAddress()));
    assertEquals(Set.of(), view.leaderChanged(null));
  }

  @Test
  void theSweepDeletesAbsentOwnersOnlyAfterTheGrace() {
    view.leaderChanged(self.toAddress());
    view.memberStatus(self, MemberStatus.up());
    view.memberStatus(other, MemberStatus.up());
    Set<NodeId> owners = Set.of(self, other, third);

    assertEquals(Set.of(), view.sweep(0, () -> owners), "third's absence starts the grace");
    assertEquals(Set.of(), view.sweep(9 * SECOND, () -> owners));
    assertEquals(Set.of(third), view.sweep(10 * SECOND, () -> owners));
    assertEquals(Set.of(third), view.sweep(11 * SECOND, () -> owners), "until its entries are gone");
    assertEquals(Set.of(), view.sweep(12 * SECOND, () -> Set.of(self, other)));
  }

  @Test
  void anOwnerThatJoinsWithinTheGraceIsNotSwept() {
    view.leaderChanged(self.toAddress());
    assertEquals(Set.of(), view.sweep(0, () -> Set.of(other)));
    view.memberStatus(other, MemberStatus.joining());
    assertEquals(Set.of(), view.sweep(20 * SECOND, () -> Set.of(other)));
  }

  @Test
  void losingLeadershipRestartsTheGrace() {
    view.leaderChanged(self.toAddress());
    assertEquals(Set.of(), view.sweep(0, () -> Set.of(third)));
    view.leaderChanged(other.toAddress());
    assertEquals(Set.of(), view.sweep(5 * SECOND, () -> Set.of(third)));
    view.leaderChanged(self.toAddress());
    assertEquals(Set.of(), view.sweep(11 * SECOND, () -> Set.of(third)), "the grace counts from 11 s");
    assertEquals(Set.of(third), view.sweep(21 * SECOND, () -> Set.of(third)));
  }

  @Test
  void aRestartedNodeIsANewOwnerAndItsPredecessorNeverComesBack() {
    NodeId restarted = new NodeId(other.address(), 22);
    view.leaderChanged(self.toAddress());
    view.memberStatus(other, MemberStatus.up());
    view.unreachable(other);
    view.memberStatus(other, MemberStatus.down());

    // the new incarnation joins on the same address before the old one is removed
    view.memberStatus(restarted, MemberStatus.up());
    assertEquals(Set.of(self, restarted), visible());

    assertEquals(Set.of(other), view.memberRemoved(other));
    // late or stale news of the old incarnation changes nothing
    view.reachable(other);
    assertEquals(Set.of(self, restarted), visible());
    assertEquals(restarted, view.membership().byUid().get(restarted.uid()));
    assertNull(view.membership().byUid().get(other.uid()));
    assertTrue(view.lateArrivalsToDelete().test(other));
    assertFalse(view.lateArrivalsToDelete().test(restarted));

    // the sweep tells them apart by uid: the old one is deleted, the new one is a member
    Set<NodeId> owners = Set.of(self, other, restarted);
    assertEquals(Set.of(), view.sweep(0, () -> owners));
    assertEquals(Set.of(other), view.sweep(10 * SECOND, () -> owners));
  }

  @Test
  void upCountCountsUpMembersOnly() {
    view.memberStatus(self, MemberStatus.up());
    view.memberStatus(other, MemberStatus.joining());
    view.memberStatus(third, MemberStatus.up());
    assertEquals(2, view.upCount());
    view.memberRemoved(third);
    assertEquals(1, view.upCount());
  }

  @Test
  void theLeaderIsKnownByAddress() {
    assertFalse(view.isLeader());
    view.leaderChanged(new Address("akka", "phantom", "127.0.0.1", 25520));
    assertTrue(view.isLeader());
    view.leaderChanged(other.toAddress());
    assertFalse(view.isLeader());
  }
}
