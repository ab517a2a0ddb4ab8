package dev.phantom.tracker;

import dev.phantom.presence.SessionTracker;
import static dev.phantom.tracker.TrackerLocalTest.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorRefResolver;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.AskPattern;
import akka.cluster.ddata.Key;
import akka.cluster.ddata.ORSet;
import akka.cluster.ddata.ORSetKey;
import akka.cluster.ddata.SelfUniqueAddress;
import akka.cluster.ddata.typed.javadsl.Replicator;
import akka.cluster.typed.Cluster;
import com.typesafe.config.ConfigFactory;
import dev.phantom.testkit.Eventually;
import dev.phantom.testkit.Inbox;
import dev.phantom.testkit.TestCluster;
import java.time.Duration;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The periodic full comparison of each key ({@code full-diff-interval}, 1 s here) puts a node's live
 * table back over what the replicated data says about its own entries.
 */
class TrackerSelfHealTest {
  private static final Duration REPLICATION = Duration.ofSeconds(30);
  private static TestCluster cluster;
  private static List<SessionTracker> trackers;

  @BeforeAll
  static void start() {
    cluster = TestCluster.start(2, ConfigFactory.parseString("phantom.tracker.full-diff-interval = 1s"));
    trackers = IntStream.range(0, 2).mapToObj(i -> SessionTracker.get(cluster.node(i))).toList();
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  private static Inbox inbox(int node) {
    return Inbox.spawn(cluster.kit(node));
  }

  private static void onAllNodes(String what, java.util.function.Predicate<SessionTracker> condition) {
    Eventually.await(REPLICATION, () -> trackers.stream().allMatch(condition), what + " on all nodes");
  }

  /**
   * A node's live table is authoritative for the entries it owns: an own entry that goes missing from
   * the replicated data is put again, and one that reappears after its removal (as a concurrent add
   * winning in the OR-set would make it) is removed again. Both are forced here by writing to the
   * node's tracker replicator directly, behind the tracker's back.
   */
  @Test
  void theOwnersLiveTableWinsOverItsReplicatedEntries() {
    ActorSystem<Void> node = cluster.node(1);
    SessionTracker owner = trackers.get(1);
    Inbox live = inbox(1);
    String liveId = owner.tracker().mintId();
    await(owner.trackSession(live.ref, liveId));
    Inbox gone = inbox(1);
    String goneId = owner.tracker().mintId();
    await(owner.trackSession(gone.ref, goneId));
    Eventually.await(REPLICATION, () -> replicatedEntry(node, liveId) != null && replicatedEntry(node, goneId) != null,
        "both entries in the replicator");
    Presence goneEntry = replicatedEntry(node, goneId);
    await(owner.untrackSession(goneId));
    Eventually.await(REPLICATION, () -> replicatedEntry(node, goneId) == null, "the untracked entry replicated away");

    Presence liveEntry = replicatedEntry(node, liveId);
    updateReplicated(node, liveId, set -> set.remove(selfUnique(node), liveEntry));
    updateReplicated(node, goneId, set -> set.add(selfUnique(node), goneEntry));

    Eventually.await(REPLICATION, () -> replicatedEntry(node, liveId) != null, "the missing live entry put again");
    Eventually.await(REPLICATION, () -> replicatedEntry(node, goneId) == null, "the reappeared entry removed again");
    onAllNodes("the live session only", t -> t.getSession(liveId).isPresent() && t.getSession(goneId).isEmpty());
    live.stop();
    gone.stop();
    onAllNodes("no session of this test", t -> t.getSession(liveId).isEmpty());
  }

  private static SelfUniqueAddress selfUnique(ActorSystem<Void> node) {
    return new SelfUniqueAddress(Cluster.get(node).selfMember().uniqueAddress());
  }

  private static ActorRef<Replicator.Command> trackerReplicator(ActorSystem<Void> node) {
    return ActorRefResolver.get(node).resolveActorRef(
        node.address() + "/system/" + TrackerReplica.NAME + "/replicator");
  }

  private static Key<ORSet<Presence>> sessionKey(String id) {
    return ORSetKey.create("phantom-set-sessions-" + TrackerReplica.shardWithinTopic(TrackerKey.id(id), 64));
  }

  /** The session entry of {@code id} in the node's tracker replicator, or null. */
  private static Presence replicatedEntry(ActorSystem<Void> node, String id) {
    Replicator.GetResponse<ORSet<Presence>> rsp = await(AskPattern.ask(trackerReplicator(node),
        (ActorRef<Replicator.GetResponse<ORSet<Presence>>> r) ->
            new Replicator.Get<>(sessionKey(id), Replicator.readLocal(), r),
        Duration.ofSeconds(5), node.scheduler()).toCompletableFuture());
    if (!(rsp instanceof Replicator.GetSuccess<ORSet<Presence>> ok)) return null;
    return ok.get(sessionKey(id)).getElements().stream().filter(p -> p.id().equals(id)).findFirst().orElse(null);
  }

  private static void updateReplicated(ActorSystem<Void> node, String id, UnaryOperator<ORSet<Presence>> change) {
    Replicator.UpdateResponse<ORSet<Presence>> rsp = await(AskPattern.ask(trackerReplicator(node),
        (ActorRef<Replicator.UpdateResponse<ORSet<Presence>>> r) ->
            new Replicator.Update<>(sessionKey(id), ORSet.create(), Replicator.writeLocal(), r, change::apply),
        Duration.ofSeconds(5), node.scheduler()).toCompletableFuture());
    assertTrue(rsp instanceof Replicator.UpdateSuccess, "direct replicator update: " + rsp);
  }
}
