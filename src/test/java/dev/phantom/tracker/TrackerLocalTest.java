package dev.phantom.tracker;

import dev.phantom.presence.SessionNotification;
import dev.phantom.tracker.Tracker;
import dev.phantom.presence.SessionTracker;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import dev.phantom.testkit.Eventually;
import dev.phantom.testkit.Inbox;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Every tracker function on one node without a cluster (local mode). */
class TrackerLocalTest {
  private static final Duration WAIT = Duration.ofSeconds(5);
  private static ActorTestKit kit;
  private static SessionTracker tracker;

  @BeforeAll
  static void start() {
    kit = ActorTestKit.create();
    tracker = SessionTracker.get(kit.system());
  }

  @AfterAll
  static void stop() {
    kit.shutdownTestKit();
  }

  static <T> T await(CompletionStage<T> stage) {
    try {
      return stage.toCompletableFuture().get(5, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private Inbox inbox() {
    return Inbox.spawn(kit);
  }

  @Test
  void anEntryOverTheSizeLimitIsRefusedAtTrackAndNothingIsListed() {
    Inbox holder = inbox();
    String hugeKey = "k".repeat(5000);
    assertEquals(TrackResult.TOO_LARGE, await(tracker.tracker().track("phantom:resources", hugeKey, holder.ref, Map.of())));
    assertEquals(TrackResult.TOO_LARGE, await(tracker.tracker().track("phantom:resources", "small", holder.ref,
        Map.of("blob", "x".repeat(5000)))));
    assertTrue(tracker.tracker().lookup("phantom:resources", hugeKey).isEmpty());
    assertTrue(tracker.tracker().lookup("phantom:resources", "small").isEmpty());
    assertEquals(TrackResult.TRACKED, await(tracker.tracker().track("phantom:resources", "small", holder.ref,
        Map.of("blob", "x".repeat(1000)))), "an entry under the limit is tracked");
    assertEquals(1, tracker.tracker().lookup("phantom:resources", "small").size());
    await(tracker.tracker().untrack(holder.ref));
  }

  @Test
  void modeAndTopics() {
    assertFalse(tracker.isAvailable());
    assertTrue(tracker.tracker().isSynced(), "nothing to sync with in local mode");
    assertEquals(Tracker.Mode.LOCAL, tracker.tracker().mode());
    assertEquals("phantom:sessions", tracker.sessionsTopic());
    assertEquals("phantom:requests", tracker.requestsTopic());
    assertEquals("phantom:resources", tracker.resourceSubscriptionTopic());
    assertEquals(Tracker.Mode.LOCAL, await(tracker.tracker().stats(true)).mode());
  }

  @Test
  void trackSessionIsReadableAtOnceWithItsMeta() {
    Inbox session = inbox();
    String id = tracker.tracker().mintId();
    assertEquals(TrackResult.TRACKED, await(tracker.trackSession(session.ref, id, Map.of("client", "a"))));
    assertEquals(Optional.of(session.ref), tracker.getSession(id));
    assertEquals(Map.of("client", "a"), tracker.getSessionMeta(id));
    assertEquals(TrackResult.ALREADY_TRACKED, await(tracker.trackSession(session.ref, id)));
    assertTrue(tracker.listSessions().stream().anyMatch(p -> p.id().equals(id) && p.ref().equals(session.ref)));
    assertEquals(Optional.of(tracker.tracker().selfNode()), tracker.tracker().homeOf(id));
  }

  @Test
  void unknownSessionReadsAreEmpty() {
    assertEquals(Optional.empty(), tracker.getSession("nope"));
    assertEquals(Map.of(), tracker.getSessionMeta("nope"));
    assertEquals(List.of(), tracker.listSessionStreams("nope"));
    assertEquals(Optional.empty(), tracker.tracker().homeOf("nope"));
  }

  @Test
  void sessionWithSeveralStreamsIsListedOnceAndItsMetaIsMerged() {
    Inbox session = inbox();
    Inbox stream = inbox();
    String id = tracker.tracker().mintId();
    await(tracker.trackSession(session.ref, id, Map.of("client", "a", "level", "info")));
    await(tracker.trackSession(stream.ref, id, Map.of("stream", "get")));
    List<Presence> streams = tracker.listSessionStreams(id);
    assertEquals(List.of(session.ref, stream.ref), streams.stream().map(Presence::ref).toList(), "oldest first");
    assertEquals(1, tracker.listSessions().stream().filter(p -> p.id().equals(id)).count());
    assertEquals(Map.of("client", "a", "level", "info", "stream", "get"), tracker.getSessionMeta(id));
    assertEquals(Optional.of(session.ref), tracker.getSession(id), "the oldest entry is the session");
  }

  @Test
  void updateSessionMetaMergesIntoTheHomeEntry() {
    Inbox session = inbox();
    String id = tracker.tracker().mintId();
    await(tracker.trackSession(session.ref, id, Map.of("client", "a", "level", "info")));
    Map<String, Object> patch = new HashMap<>();
    patch.put("level", "debug");
    patch.put("client", null);
    patch.put("caps", Map.of("elicitation", Map.of()));
    assertTrue(await(tracker.updateSessionMeta(id, patch)));
    assertEquals(Map.of("level", "debug", "caps", Map.of("elicitation", Map.of())), tracker.getSessionMeta(id));
    assertFalse(await(tracker.updateSessionMeta("no-such-session", Map.of("a", 1))));
  }

  @Test
  void stoppedActorsEntriesVanish() {
    Inbox session = inbox();
    String id = tracker.tracker().mintId();
    await(tracker.trackSession(session.ref, id));
    await(tracker.subscribeResource(session.ref, "test://stop"));
    await(tracker.trackRequest(session.ref, "req-stop", Map.of()));
    session.stop();
    Eventually.await(WAIT, () -> tracker.getSession(id).isEmpty()
        && tracker.getRequest("req-stop").isEmpty()
        && tracker.tracker().lookup(SessionTracker.RESOURCES_TOPIC, TrackerKey.id("test://stop")).isEmpty(), "entries of a stopped actor gone");
  }

  @Test
  void trackRequestAndItsReads() {
    Inbox waiter = inbox();
    assertEquals(TrackResult.TRACKED, await(tracker.trackRequest(waiter.ref, "elicit-1", Map.of("type", "elicitation"))));
    assertEquals(Optional.of(waiter.ref), tracker.getRequest("elicit-1"));
    assertEquals(Optional.of(Map.of("type", "elicitation")), tracker.getRequestMeta("elicit-1"));
    assertTrue(tracker.listRequests().stream().anyMatch(p -> p.id().equals("elicit-1")));
    assertEquals(Optional.empty(), tracker.getRequestMeta("elicit-unknown"));
    assertEquals(1, await(tracker.untrackRequest("elicit-1")));
    assertEquals(Optional.empty(), tracker.getRequest("elicit-1"));
    assertEquals(0, await(tracker.untrackRequest("elicit-1")));
  }

  @Test
  void claimsAreExclusiveAndReleased() {
    Inbox session = inbox();
    Inbox first = inbox();
    Inbox second = inbox();
    String id = tracker.tracker().mintId();
    assertEquals(ClaimResult.NO_SCOPE, await(tracker.trackInFlight(first.ref, id, 7)));
    await(tracker.trackSession(session.ref, id));
    assertEquals(ClaimResult.CLAIMED, await(tracker.trackInFlight(first.ref, id, 7)));
    assertEquals(ClaimResult.CLAIMED, await(tracker.trackInFlight(first.ref, id, 7)), "the holder may claim again");
    assertEquals(ClaimResult.DUPLICATE, await(tracker.trackInFlight(second.ref, id, 7)));
    assertEquals(ClaimResult.CLAIMED, await(tracker.trackInFlight(second.ref, id, "7")), "string 7 is another id");
    assertTrue(tracker.listRequests().stream().anyMatch(p -> p.key().equals(new TrackerKey.Claim(id, "7"))));

    await(tracker.untrackInFlight(second.ref, id, 7));
    assertEquals(ClaimResult.DUPLICATE, await(tracker.trackInFlight(second.ref, id, 7)), "only the holder releases");
    await(tracker.untrackInFlight(first.ref, id, 7));
    assertFalse(tracker.listRequests().stream().anyMatch(p -> p.key().equals(new TrackerKey.Claim(id, "7"))));
    assertEquals(ClaimResult.CLAIMED, await(tracker.trackInFlight(second.ref, id, 7)));

    second.stop();
    Eventually.await(WAIT, () -> await(tracker.trackInFlight(first.ref, id, 7)) == ClaimResult.CLAIMED,
        "a stopped holder's claim is released");
  }

  @Test
  void inFlightKeysNeverCollideWithPlainRequestIds() {
    Inbox session = inbox();
    Inbox plain = inbox();
    Inbox holder = inbox();
    String id = tracker.tracker().mintId();
    await(tracker.trackSession(session.ref, id));
    TrackerKey.Claim claim = TrackerKey.claim(id, "\"x\"");
    await(tracker.trackRequest(plain.ref, claim.toString(), Map.of()));
    assertEquals(ClaimResult.CLAIMED, await(tracker.trackInFlight(holder.ref, id, "x")));
    assertEquals(Optional.of(plain.ref), tracker.getRequest(claim.toString()));
    assertEquals(List.of(holder.ref), tracker.tracker().lookup(SessionTracker.REQUESTS_TOPIC, claim).stream().map(Presence::ref).toList());
  }

  @Test
  void resourceSubscriptionsAndUpdates() {
    Inbox a = inbox();
    Inbox b = inbox();
    String uri = "test://res/" + System.nanoTime();
    assertEquals(TrackResult.TRACKED, await(tracker.subscribeResource(a.ref, uri)));
    assertEquals(TrackResult.TRACKED, await(tracker.subscribeResource(b.ref, uri, Map.of("session", "s"))));
    assertEquals(2, tracker.listResourceListeners().stream().filter(p -> p.id().equals(uri)).count());
    assertEquals(2, await(tracker.notifyResourceUpdated(uri)));
    a.probe.expectMessage(new SessionNotification.ResourceUpdated(uri));
    b.probe.expectMessage(new SessionNotification.ResourceUpdated(uri));
    assertEquals(1, await(tracker.unsubscribeResource(a.ref, uri)));
    assertEquals(1, await(tracker.notifyResourceUpdated(uri)));
    b.probe.expectMessage(new SessionNotification.ResourceUpdated(uri));
    a.probe.expectNoMessage(Duration.ofMillis(100));
    assertEquals(0, await(tracker.notifyResourceUpdated("test://nobody")));
  }

  @Test
  void untrackRemovesEverythingOfTheActorButUntrackSessionOnlyItsSessionEntries() {
    Inbox session = inbox();
    String id = tracker.tracker().mintId();
    String uri = "test://keep/" + id;
    await(tracker.trackSession(session.ref, id));
    await(tracker.subscribeResource(session.ref, uri));
    assertEquals(1, await(tracker.untrackSession(id)));
    assertEquals(Optional.empty(), tracker.getSession(id));
    assertEquals(1, tracker.tracker().lookup(SessionTracker.RESOURCES_TOPIC, TrackerKey.id(uri)).size(), "no side effect on other topics");

    await(tracker.trackSession(session.ref, id));
    await(tracker.trackRequest(session.ref, "r-" + id, Map.of()));
    assertEquals(3, await(tracker.untrack(session.ref)));
    assertEquals(Optional.empty(), tracker.getSession(id));
    assertEquals(Optional.empty(), tracker.getRequest("r-" + id));
    assertEquals(0, tracker.tracker().lookup(SessionTracker.RESOURCES_TOPIC, TrackerKey.id(uri)).size());
  }

  @Test
  void listChangedReachesEachSessionOnceThroughItsHomeEntry() {
    Inbox s1 = inbox();
    Inbox s1stream = inbox();
    Inbox s2 = inbox();
    String id1 = tracker.tracker().mintId();
    String id2 = tracker.tracker().mintId();
    await(tracker.trackSession(s1.ref, id1));
    await(tracker.trackSession(s1stream.ref, id1));
    await(tracker.trackSession(s2.ref, id2));
    int sessions = tracker.listSessions().size();
    assertEquals(sessions, await(tracker.notifyToolList()));
    s1.probe.expectMessage(new SessionNotification.ListChanged(SessionNotification.ListKind.TOOLS));
    s2.probe.expectMessage(new SessionNotification.ListChanged(SessionNotification.ListKind.TOOLS));
    assertEquals(sessions, await(tracker.notifyPromptList()));
    s1.probe.expectMessage(new SessionNotification.ListChanged(SessionNotification.ListKind.PROMPTS));
    assertEquals(sessions, await(tracker.notifyResourceList()));
    s1.probe.expectMessage(new SessionNotification.ListChanged(SessionNotification.ListKind.RESOURCES));
    s1.probe.expectNoMessage(Duration.ofMillis(100));
    s1stream.probe.expectNoMessage(Duration.ofMillis(10));
  }

  @Test
  void elicitationCompleteIsDeliveredAndReleasesTheId() {
    Inbox waiter = inbox();
    String elicitationId = tracker.tracker().mintId();
    await(tracker.trackRequest(waiter.ref, elicitationId, Map.of("type", "elicitation")));
    assertEquals(1, await(tracker.notifyElicitationComplete(elicitationId)));
    waiter.probe.expectMessage(new SessionNotification.ElicitationComplete(elicitationId));
    assertEquals(Optional.empty(), tracker.getRequest(elicitationId));
    assertEquals(0, await(tracker.notifyElicitationComplete(elicitationId)));
  }

  @Test
  void diffSubscribersSeeJoinsUpdatesAndLeaves() {
    TestProbe<TrackerDiff> diffs = kit.createTestProbe();
    tracker.tracker().subscribe(SessionTracker.SESSIONS_TOPIC, diffs.getRef());
    // the subscription is asynchronous: a tracked marker shows when it is in place
    Inbox marker = inbox();
    String markerId = tracker.tracker().mintId();
    Eventually.await(WAIT, () -> {
      await(tracker.trackSession(marker.ref, markerId));
      return diffs.receiveMessage(Duration.ofSeconds(1)).joins().stream().anyMatch(p -> p.id().equals(markerId));
    }, "subscription active");

    Inbox session = inbox();
    String id = tracker.tracker().mintId();
    await(tracker.trackSession(session.ref, id, Map.of("v", 1)));
    TrackerDiff join = diffs.receiveMessage();
    assertEquals(List.of(id), join.joins().stream().map(Presence::id).toList());
    assertEquals(Map.of("v", 1), join.joins().get(0).meta());

    await(tracker.updateSessionMeta(id, Map.of("v", 2)));
    TrackerDiff update = diffs.receiveMessage();
    assertEquals(Map.of("v", 1), update.leaves().get(0).meta());
    assertEquals(Map.of("v", 2), update.joins().get(0).meta());

    session.stop();
    TrackerDiff leave = diffs.receiveMessage();
    assertEquals(List.of(id), leave.leaves().stream().map(Presence::id).toList());
    assertTrue(leave.joins().isEmpty());
    tracker.tracker().unsubscribe(SessionTracker.SESSIONS_TOPIC, diffs.getRef());
  }

  @Test
  void homedIdsNameTheirHome() {
    String a = tracker.tracker().mintId();
    String b = tracker.tracker().mintId();
    assertNotEquals(a, b);
    assertEquals(HomedIds.LENGTH, a.length());
    assertEquals(tracker.tracker().selfNode().uid(), HomedIds.homeUid(a).getAsLong());
    assertTrue(HomedIds.homeUid("not-an-id").isEmpty());
    assertTrue(HomedIds.homeUid("P" + "!".repeat(32)).isEmpty());
  }

}
