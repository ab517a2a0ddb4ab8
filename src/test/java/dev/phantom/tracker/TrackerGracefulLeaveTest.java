package dev.phantom.tracker;

import dev.phantom.presence.SessionTracker;
import static dev.phantom.tracker.TrackerLocalTest.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.Address;
import akka.actor.CoordinatedShutdown;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Adapter;
import akka.cluster.Member;
import akka.cluster.MemberStatus;
import akka.cluster.typed.Cluster;
import com.typesafe.config.ConfigFactory;
import dev.phantom.testkit.Eventually;
import dev.phantom.testkit.Inbox;
import dev.phantom.testkit.TestCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A node that shuts down gracefully removes its entries before it leaves: the others drop them within
 * seconds. And a removed node's entries are deleted by the leader even when the node that left was the
 * leader, without waiting for the periodic sweep.
 */
class TrackerGracefulLeaveTest {
  private static final Duration BOUND = Duration.ofSeconds(20);
  private TestCluster cluster;

  @AfterEach
  void stop() {
    if (cluster != null) cluster.close();
  }

  @Test
  void leaveRemovesTheNodesEntriesFromEveryPeerWhileItIsStillAMember() {
    cluster = TestCluster.start(3);
    SessionTracker leaving = SessionTracker.get(cluster.node(2));
    List<String> ids = trackSessions(2, 50);
    List<SessionTracker> survivors = List.of(SessionTracker.get(cluster.node(0)), SessionTracker.get(cluster.node(1)));
    awaitVisible(survivors, ids);

    await(leaving.tracker().leave());

    // The node never leaves the cluster here, so neither the leader nor the sweep deletes anything:
    // only the leaving node's own removals can make the entries go.
    for (SessionTracker t : survivors) {
      Eventually.await(BOUND, () -> ids.stream().allMatch(id -> t.getSession(id).isEmpty())
          && !await(t.tracker().stats(false)).entriesByOwner().containsKey(leaving.tracker().selfNode().toString()), "entries gone");
    }
    Address leaverAddress = Cluster.get(cluster.node(2)).selfMember().address();
    assertTrue(members(cluster.node(0)).anyMatch(m ->
        m.address().equals(leaverAddress) && m.status() == MemberStatus.up()), "still an Up member");
  }

  @Test
  void aGracefulShutdownDeletesTheEntriesOnTheSurvivors() {
    cluster = TestCluster.start(3);
    SessionTracker leaving = SessionTracker.get(cluster.node(2));
    List<String> ids = trackSessions(2, 50);
    SessionTracker survivor = SessionTracker.get(cluster.node(0));
    awaitVisible(List.of(survivor), ids);

    long started = System.nanoTime();
    CoordinatedShutdown.get(Adapter.toClassic(cluster.node(2))).run(CoordinatedShutdown.unknownReason());
    // deleted, not merely hidden: the stats count entries per owner
    Eventually.await(BOUND,
        () -> !await(survivor.tracker().stats(false)).entriesByOwner().containsKey(leaving.tracker().selfNode().toString()), "entries gone");
    System.out.println("graceful leave: entries gone on a survivor after " + (System.nanoTime() - started) / 1_000_000 + " ms");
    assertTrue(ids.stream().allMatch(id -> survivor.getSession(id).isEmpty()));
  }

  @Test
  void theNewLeaderDeletesTheEntriesOfALeaderThatLeftWithoutRemovingThem() {
    // No sweep within the test's bound, and the leaver does not remove its own entries: only the
    // deletion of a removed member's entries by the (new) leader can make them go.
    cluster = TestCluster.start(3, ConfigFactory.parseString(String.join("\n",
        "phantom.tracker.sweep-grace = 10m",
        "akka.coordinated-shutdown.phases.before-cluster-shutdown.enabled = off")));
    Address leaderAddress = Cluster.get(cluster.node(0)).state().getLeader();
    int leaderIndex = IntStream.range(0, 3)
        .filter(i -> Cluster.get(cluster.node(i)).selfMember().address().equals(leaderAddress))
        .findFirst().orElseThrow();
    SessionTracker leader = SessionTracker.get(cluster.node(leaderIndex));
    List<String> ids = trackSessions(leaderIndex, 30);
    List<SessionTracker> survivors = IntStream.range(0, 3).filter(i -> i != leaderIndex)
        .mapToObj(i -> SessionTracker.get(cluster.node(i))).toList();
    awaitVisible(survivors, ids);

    CoordinatedShutdown.get(Adapter.toClassic(cluster.node(leaderIndex))).run(CoordinatedShutdown.unknownReason());
    for (SessionTracker t : survivors) {
      Eventually.await(BOUND,
          () -> !await(t.tracker().stats(false)).entriesByOwner().containsKey(leader.tracker().selfNode().toString()),
          () -> "entries of the departed leader deleted on " + t.tracker().selfNode() + ": " + await(t.tracker().stats(false)));
    }
    assertEquals(0, survivors.get(0).listSessions().stream().filter(p -> p.owner().equals(leader.tracker().selfNode())).count());
  }

  private List<String> trackSessions(int node, int count) {
    SessionTracker tracker = SessionTracker.get(cluster.node(node));
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      Inbox session = Inbox.spawn(cluster.kit(node));
      String id = tracker.tracker().mintId();
      await(tracker.trackSession(session.ref, id));
      ids.add(id);
    }
    return ids;
  }

  private static void awaitVisible(List<SessionTracker> trackers, List<String> ids) {
    for (SessionTracker t : trackers) {
      Eventually.await(BOUND, () -> ids.stream().allMatch(id -> t.getSession(id).isPresent()), "visible");
    }
  }

  /** The members as one node sees them. */
  private static Stream<Member> members(ActorSystem<?> node) {
    return StreamSupport.stream(Cluster.get(node).state().getMembers().spliterator(), false);
  }
}
