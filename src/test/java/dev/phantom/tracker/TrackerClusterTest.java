package dev.phantom.tracker;

import dev.phantom.presence.SessionNotification;
import dev.phantom.tracker.Tracker;
import dev.phantom.presence.SessionTracker;
import static dev.phantom.tracker.TrackerLocalTest.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import dev.phantom.testkit.Eventually;
import dev.phantom.testkit.Inbox;
import dev.phantom.testkit.TestCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Three nodes in one JVM: replication, routing to owners, claims, fan-out and diffs across nodes. A key
 * is compared in full only every hour here, so every change seen on another node was detected by its
 * writer's version in the key (what spares a node from diffing keys only it wrote).
 */
class TrackerClusterTest {
  /** Replication takes ~0.3 s; the bound is generous for a loaded 2-core CI machine. */
  private static final Duration REPLICATION = Duration.ofSeconds(30);
  private static TestCluster cluster;
  private static List<SessionTracker> trackers;

  @BeforeAll
  static void start() {
    cluster = TestCluster.start(3, com.typesafe.config.ConfigFactory.parseString("phantom.tracker.full-diff-interval = 1h"));
    trackers = IntStream.range(0, 3).mapToObj(i -> SessionTracker.get(cluster.node(i))).toList();
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

  @Test
  void clusterModeIsActive() {
    for (SessionTracker t : trackers) {
      assertTrue(t.isAvailable());
      assertEquals(Tracker.Mode.CLUSTER, t.tracker().mode());
    }
  }

  @Test
  void everyReadAgreesOnAllNodesAfterAWriteOnOne() {
    SessionTracker writer = trackers.get(0);
    Inbox session = inbox(0);
    Inbox stream = inbox(0);
    Inbox waiter = inbox(0);
    Inbox holder = inbox(0);
    String id = writer.tracker().mintId();
    String requestId = "elicit-" + id;
    String uri = "test://agree/" + id;
    await(writer.trackSession(session.ref, id, Map.of("client", "c")));
    await(writer.trackSession(stream.ref, id, Map.of("stream", "get")));
    await(writer.trackRequest(waiter.ref, requestId, Map.of("type", "elicitation")));
    await(writer.subscribeResource(session.ref, uri, Map.of("session", id)));
    assertEquals(ClaimResult.CLAIMED, await(writer.trackInFlight(holder.ref, id, 42)));
    TrackerKey.Claim claim = TrackerKey.claim(id, "42");

    onAllNodes("the writes", t -> t.listSessionStreams(id).size() == 2
        && t.getRequest(requestId).isPresent()
        && t.tracker().lookup(SessionTracker.RESOURCES_TOPIC, TrackerKey.id(uri)).size() == 1
        && t.tracker().lookup(SessionTracker.REQUESTS_TOPIC, claim).size() == 1);
    for (SessionTracker t : trackers) {
      assertTrue(sameActor(session.ref, t.getSession(id).orElseThrow()));
      assertEquals(Map.of("client", "c", "stream", "get"), t.getSessionMeta(id));
      List<Presence> streams = t.listSessionStreams(id);
      assertTrue(sameActor(session.ref, streams.get(0).ref()) && sameActor(stream.ref, streams.get(1).ref()), "oldest first");
      assertEquals(1, t.listSessions().stream().filter(p -> p.id().equals(id)).count());
      assertTrue(sameActor(waiter.ref, t.getRequest(requestId).orElseThrow()));
      assertEquals(Optional.of(Map.of("type", "elicitation")), t.getRequestMeta(requestId));
      assertTrue(t.listRequests().stream().anyMatch(p -> p.key().equals(claim) && sameActor(p.ref(), holder.ref)));
      assertTrue(t.listResourceListeners().stream().anyMatch(p -> p.id().equals(uri) && sameActor(p.ref(), session.ref)));
      assertEquals(Optional.of(writer.tracker().selfNode()), t.tracker().homeOf(id));
      assertEquals(writer.tracker().selfNode(), t.listSessionStreams(id).get(0).owner());
    }
  }

  @Test
  void aStoppedActorsEntriesVanishEverywhere() {
    Inbox session = inbox(1);
    String id = trackers.get(1).tracker().mintId();
    await(trackers.get(1).trackSession(session.ref, id));
    await(trackers.get(1).subscribeResource(session.ref, "test://vanish/" + id));
    onAllNodes("the session", t -> t.getSession(id).isPresent());
    session.stop();
    onAllNodes("no entries of the stopped actor", t -> t.getSession(id).isEmpty()
        && t.tracker().lookup(SessionTracker.RESOURCES_TOPIC, TrackerKey.id("test://vanish/" + id)).isEmpty());
  }

  @Test
  void updateSessionMetaOnOneNodeIsSeenOnTheOthers() {
    Inbox session = inbox(0);
    String id = trackers.get(0).tracker().mintId();
    await(trackers.get(0).trackSession(session.ref, id, Map.of("level", "info")));
    onAllNodes("the session", t -> t.getSession(id).isPresent());
    assertTrue(await(trackers.get(1).updateSessionMeta(id, Map.of("level", "debug"))), "routed to the owner");
    onAllNodes("the new level", t -> "debug".equals(t.getSessionMeta(id).get("level")));
  }

  @Test
  void untrackingFromAnotherNodeIsDoneByTheOwner() {
    Inbox session = inbox(2);
    Inbox waiter = inbox(2);
    String id = trackers.get(2).tracker().mintId();
    await(trackers.get(2).trackSession(session.ref, id));
    await(trackers.get(2).trackRequest(waiter.ref, "r-" + id, Map.of()));
    await(trackers.get(2).subscribeResource(session.ref, "test://owner/" + id));
    onAllNodes("the entries", t -> t.getSession(id).isPresent() && t.getRequest("r-" + id).isPresent());
    assertEquals(1, await(trackers.get(0).untrackSession(id)));
    assertEquals(1, await(trackers.get(1).untrackRequest("r-" + id)));
    // node 0 names the listener as it knows it: a reference to an actor on node 2
    ActorRef<?> remoteListener =
        trackers.get(0).tracker().lookup(SessionTracker.RESOURCES_TOPIC, TrackerKey.id("test://owner/" + id)).get(0).ref();
    assertEquals(1, await(trackers.get(0).unsubscribeResource(remoteListener, "test://owner/" + id)));
    onAllNodes("the removals", t -> t.getSession(id).isEmpty() && t.getRequest("r-" + id).isEmpty()
        && t.tracker().lookup(SessionTracker.RESOURCES_TOPIC, TrackerKey.id("test://owner/" + id)).isEmpty());
    assertEquals(0, trackers.get(0).tracker().lookup(SessionTracker.SESSIONS_TOPIC, TrackerKey.id(id)).size());
  }

  @Test
  void fiftyConcurrentClaimsFromThreeNodesGiveExactlyOneClaim() {
    Inbox session = inbox(0);
    String id = trackers.get(0).tracker().mintId();
    await(trackers.get(0).trackSession(session.ref, id));
    // No wait for replication: the id names its home, so nodes 1 and 2 route claims there at once.
    for (int round = 0; round < 10; round++) {
      int requestId = round;
      List<Inbox> holders = new ArrayList<>();
      List<CompletableFuture<ClaimResult>> results = new ArrayList<>();
      for (int i = 0; i < 50; i++) holders.add(inbox(i % 3));
      for (int i = 0; i < 50; i++) {
        results.add(trackers.get(i % 3).trackInFlight(holders.get(i).ref, id, requestId).toCompletableFuture());
      }
      Map<ClaimResult, Long> outcome = results.stream().map(TrackerLocalTest::await)
          .collect(Collectors.groupingBy(r -> r, Collectors.counting()));
      assertEquals(Map.of(ClaimResult.CLAIMED, 1L, ClaimResult.DUPLICATE, 49L), outcome, "round " + round);
    }
  }

  @Test
  void claimsOfAnUnknownSessionAreRefused() {
    Inbox holder = inbox(1);
    assertEquals(ClaimResult.NO_SCOPE, await(trackers.get(1).trackInFlight(holder.ref, trackers.get(0).tracker().mintId(), 1)));
    assertEquals(ClaimResult.NO_SCOPE, await(trackers.get(1).trackInFlight(holder.ref, "never-tracked", 1)));
  }

  @Test
  void notifyCountsAreExactWithSessionsOnAllThreeNodes() {
    List<Inbox> homes = new ArrayList<>();
    List<Inbox> foreignStreams = new ArrayList<>();
    List<String> ids = new ArrayList<>();
    for (int node = 0; node < 3; node++) {
      for (int i = 0; i < 4; i++) {
        Inbox home = inbox(node);
        String id = trackers.get(node).tracker().mintId();
        await(trackers.get(node).trackSession(home.ref, id));
        // a stream of the same session on the next node must not cause a second delivery
        Inbox stream = inbox((node + 1) % 3);
        await(trackers.get((node + 1) % 3).trackSession(stream.ref, id));
        homes.add(home);
        foreignStreams.add(stream);
        ids.add(id);
      }
    }
    onAllNodes("all sessions", t -> ids.stream().allMatch(id -> t.listSessionStreams(id).size() == 2));
    onAllNodes("the same session count", t -> t.listSessions().size() == trackers.get(0).listSessions().size());
    // Counts are exact once every hub reaches every other through the pub-sub topic (readiness).
    onAllNodes("notification hubs connected", SessionTracker::isReady);
    int sessions = trackers.get(0).listSessions().size();
    assertEquals(sessions, await(trackers.get(1).notifyToolList()));
    for (Inbox home : homes) home.probe.expectMessage(new SessionNotification.ListChanged(SessionNotification.ListKind.TOOLS));
    assertEquals(sessions, await(trackers.get(2).notifyPromptList()));
    for (Inbox home : homes) home.probe.expectMessage(new SessionNotification.ListChanged(SessionNotification.ListKind.PROMPTS));
    assertEquals(sessions, await(trackers.get(0).notifyResourceList()));
    for (Inbox home : homes) home.probe.expectMessage(new SessionNotification.ListChanged(SessionNotification.ListKind.RESOURCES));
    for (Inbox home : homes) home.probe.expectNoMessage(Duration.ofMillis(20));
    for (Inbox stream : foreignStreams) stream.probe.expectNoMessage(Duration.ofMillis(20));
    homes.forEach(Inbox::stop);
    foreignStreams.forEach(Inbox::stop);
  }

  @Test
  void resourceUpdatesAndElicitationCompletionReachListenersOnOtherNodes() {
    String uri = "test://watched/" + System.nanoTime();
    Inbox a = inbox(0);
    Inbox b = inbox(1);
    await(trackers.get(0).subscribeResource(a.ref, uri));
    await(trackers.get(1).subscribeResource(b.ref, uri));
    onAllNodes("both listeners", t -> t.tracker().lookup(SessionTracker.RESOURCES_TOPIC, TrackerKey.id(uri)).size() == 2);
    assertEquals(2, await(trackers.get(2).notifyResourceUpdated(uri)));
    a.probe.expectMessage(new SessionNotification.ResourceUpdated(uri));
    b.probe.expectMessage(new SessionNotification.ResourceUpdated(uri));

    Inbox waiter = inbox(0);
    String elicitation = trackers.get(0).tracker().mintId();
    await(trackers.get(0).trackRequest(waiter.ref, elicitation, Map.of("type", "elicitation")));
    onAllNodes("the elicitation", t -> t.getRequest(elicitation).isPresent());
    assertEquals(1, await(trackers.get(2).notifyElicitationComplete(elicitation)));
    waiter.probe.expectMessage(new SessionNotification.ElicitationComplete(elicitation));
    onAllNodes("the elicitation released", t -> t.getRequest(elicitation).isEmpty());
  }

  @Test
  void diffSubscribersSeeOtherNodesJoinsAndLeaves() {
    TestProbe<TrackerDiff> diffs = cluster.kit(2).createTestProbe();
    trackers.get(2).tracker().subscribe(SessionTracker.SESSIONS_TOPIC, diffs.getRef());
    Inbox session = inbox(0);
    String id = trackers.get(0).tracker().mintId();
    // the subscription is asynchronous; a local write proves it is in place before the remote one
    Inbox marker = inbox(2);
    String markerId = trackers.get(2).tracker().mintId();
    await(trackers.get(2).trackSession(marker.ref, markerId));
    awaitDiff(diffs, d -> d.joins().stream().anyMatch(p -> p.id().equals(markerId)));

    await(trackers.get(0).trackSession(session.ref, id, Map.of("m", "1")));
    TrackerDiff join = awaitDiff(diffs, d -> d.joins().stream().anyMatch(p -> p.id().equals(id)));
    Presence joined = join.joins().stream().filter(p -> p.id().equals(id)).findFirst().orElseThrow();
    assertEquals(Map.of("m", "1"), joined.meta());
    assertEquals(trackers.get(0).tracker().selfNode(), joined.owner());
    session.stop();
    awaitDiff(diffs, d -> d.leaves().stream().anyMatch(p -> p.id().equals(id)));
    trackers.get(2).tracker().unsubscribe(SessionTracker.SESSIONS_TOPIC, diffs.getRef());
  }

  /** The same actor, whichever node's reference to it (in one JVM, local and remote refs differ in address). */
  static boolean sameActor(ActorRef<?> a, ActorRef<?> b) {
    return a.path().toStringWithoutAddress().equals(b.path().toStringWithoutAddress()) && a.path().uid() == b.path().uid();
  }

  static TrackerDiff awaitDiff(TestProbe<TrackerDiff> probe, java.util.function.Predicate<TrackerDiff> wanted) {
    long deadline = System.nanoTime() + REPLICATION.toNanos();
    while (System.nanoTime() < deadline) {
      TrackerDiff d = probe.receiveMessage(REPLICATION);
      if (wanted.test(d)) return d;
    }
    throw new AssertionError("no matching diff within " + REPLICATION);
  }

  @Test
  void onlyTheHostingNodeMayTrackAnActor() {
    Inbox remote = inbox(1);
    ActorRef<Object> ref = remote.ref;
    assertEquals(TrackResult.NOT_LOCAL, await(trackers.get(0).trackSession(ref, trackers.get(0).tracker().mintId())));
  }
}
