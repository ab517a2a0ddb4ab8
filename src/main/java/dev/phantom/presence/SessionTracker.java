package dev.phantom.presence;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Extension;
import akka.actor.typed.ExtensionId;
import akka.actor.typed.Props;
import akka.actor.typed.javadsl.Adapter;
import dev.phantom.tracker.ClaimResult;
import dev.phantom.tracker.HomedIds;
import dev.phantom.tracker.NodeId;
import dev.phantom.tracker.Presence;
import dev.phantom.tracker.TrackResult;
import dev.phantom.tracker.Tracker;
import dev.phantom.util.SystemActors;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Phantom's tracker of MCP sessions, requests and resource listeners: the 28 functions of Elixir's
 * {@code Phantom.Tracker}, built on two mechanisms with different guarantees.
 *
 * <ul>
 *   <li><b>The index</b> — the generic, replicated {@link Tracker} (topics {@value #SESSIONS_TOPIC},
 *       {@value #REQUESTS_TOPIC}, {@value #RESOURCES_TOPIC}): listings, lookups, metadata, claims.
 *       Eventually consistent across nodes (a few hundred milliseconds), read-your-writes on the
 *       writing node.
 *   <li><b>Delivery</b> — the notify functions publish once through DistributedPubSub to every
 *       member's {@link NotificationHub}, which tells the receivers registered on its node. An actor
 *       registered (by {@link #trackSession}, {@link #subscribeResource}, {@link #trackRequest}) before
 *       an event is published, on any node, receives it exactly once; delivery never reads the index.
 * </ul>
 *
 * <pre>{@code
 * SessionTracker sessions = SessionTracker.get(system);
 * sessions.trackSession(sessionActor, sessionId, Map.of("client", "inspector"));
 * sessions.subscribeResource(sessionActor, "file:///notes.txt");
 * // on any node, at once:
 * sessions.notifyResourceUpdated("file:///notes.txt").thenAccept(n -> log.info("told {}", n));
 * }</pre>
 *
 * Receivers must accept {@link SessionNotification} messages.
 */
public final class SessionTracker implements Extension {

  /** The topic of sessions: the session actor and the session's streams, keyed by session id. */
  public static final String SESSIONS_TOPIC = "phantom:sessions";
  /** The topic of requests: server-to-client request ids, URL elicitation ids and in-flight claims. */
  public static final String REQUESTS_TOPIC = "phantom:requests";
  /** The topic of resource listeners, keyed by resource URI. */
  public static final String RESOURCES_TOPIC = "phantom:resources";

  /** The extension id: {@code SessionTracker.get(system)}. */
  public static final class Id extends ExtensionId<SessionTracker> {
    private Id() {}

    @Override
    public SessionTracker createExtension(ActorSystem<?> system) {
      return new SessionTracker(system);
    }
  }

  private static final Id ID = new Id();

  /** This ActorSystem's session tracker, started (with its hub and the Tracker) on first use. */
  public static SessionTracker get(ActorSystem<?> system) {
    return ID.apply(system);
  }

  private final ActorSystem<?> system;
  private final Tracker tracker;
  private final ActorRef<NotificationHub.Command> hub;
  private final AtomicBoolean ready = new AtomicBoolean();

  private SessionTracker(ActorSystem<?> system) {
    this.system = system;
    this.tracker = Tracker.get(system);
    PresenceSettings settings = PresenceSettings.fromConfig(system.settings().config());
    this.hub = system.systemActorOf(NotificationHub.create(settings, tracker.isAvailable(), ready),
        NotificationHub.NAME, Props.empty()).narrow();
  }

  /** The replicated index underneath. */
  public Tracker tracker() {
    return tracker;
  }

  /**
   * Whether this node's notification hub is connected with every Up member through the pub-sub topic,
   * both ways; until then the node must get no traffic (its health check says not ready).
   */
  public boolean isReady() {
    return ready.get();
  }

  /** Whether cluster-wide tracking is active ({@link Tracker#isAvailable()}). */
  public boolean isAvailable() {
    return tracker.isAvailable();
  }

  /** {@value #SESSIONS_TOPIC}. */
  public String sessionsTopic() {
    return SESSIONS_TOPIC;
  }

  /** {@value #REQUESTS_TOPIC}. */
  public String requestsTopic() {
    return REQUESTS_TOPIC;
  }

  /** {@value #RESOURCES_TOPIC}. */
  public String resourceSubscriptionTopic() {
    return RESOURCES_TOPIC;
  }

  // ------------------------------------------------------------------ tracking

  /**
   * Tracks a local actor as (a stream of) the session {@code sessionId}. The first actor tracked for a
   * session on the node its id names (any node, for an id not minted by a tracker) receives the list
   * changes. When the stage completes with {@link TrackResult#TRACKED}, reads on this node see the
   * entry; other nodes after replication.
   */
  public CompletionStage<TrackResult> trackSession(ActorRef<?> ref, String sessionId, Map<String, Object> meta) {
    if (tracker.isLocal(ref) && homedHereOrAnywhere(sessionId)) {
      hub.tell(new NotificationHub.RegisterSession(sessionId, receiver(ref)));
    }
    return tracker.track(SESSIONS_TOPIC, sessionId, ref, meta);
  }

  /** {@link #trackSession(ActorRef, String, Map)} without metadata. */
  public CompletionStage<TrackResult> trackSession(ActorRef<?> ref, String sessionId) {
    return trackSession(ref, sessionId, Map.of());
  }

  /**
   * Tracks a local actor as the receiver of a request id (a server-to-client request awaiting its answer,
   * or a URL elicitation id, whose completion {@link #notifyElicitationComplete} delivers).
   */
  public CompletionStage<TrackResult> trackRequest(ActorRef<?> ref, String requestId, Map<String, Object> meta) {
    if (tracker.isLocal(ref)) hub.tell(new NotificationHub.AwaitElicitation(requestId, receiver(ref)));
    return tracker.track(REQUESTS_TOPIC, requestId, ref, meta);
  }

  /**
   * Registers {@code receiver} (an actor of any node) with this node's hub as awaiting the URL
   * elicitation {@code elicitationId}: {@link #notifyElicitationComplete} on any node, once this call
   * has returned, reaches it once. Only the delivery: the index entry is {@link #trackRequest}'s (or the
   * generic tracker's) job.
   */
  public void awaitElicitation(ActorRef<?> receiver, String elicitationId) {
    hub.tell(new NotificationHub.AwaitElicitation(elicitationId, receiver(receiver)));
  }

  /**
   * Registers a stateless listen stream ({@code subscriptions/listen} of MCP 2026-07-28) with this
   * node's hub: it receives every list change and the updates of {@code uris} (filtering by kind is
   * its own business) until it stops. Local tells, so they are in place before the caller writes the
   * acknowledgement: an event published anywhere after the client saw it reaches the stream.
   * Listen streams are not tracked in the replicated index: they live and die with their connection.
   */
  public void listen(ActorRef<SessionNotification> receiver, String listenerId, boolean listChanges, java.util.Collection<String> uris) {
    if (listChanges) hub.tell(new NotificationHub.RegisterSession(listenerId, receiver));
    for (String uri : uris) hub.tell(new NotificationHub.SubscribeResource(uri, receiver));
  }

  /**
   * Claims the JSON-RPC request {@code requestId} of a session for the local actor {@code holder}, so a
   * request that lands on two nodes (a proxy retry) runs once: decided by the session's home node, so
   * exactly one concurrent caller cluster-wide gets {@link ClaimResult#CLAIMED} while that node is up
   * ({@link ClaimResult#NO_SCOPE}: the home hosts no such session). Released by {@link
   * #untrackInFlight} or when the holder stops; listed in {@link #listRequests()} meanwhile.
   *
   * @param requestId the JSON-RPC id: a {@link String} or an integral {@link Number} (the string "1" and
   *     the number 1 are different ids, as in JSON-RPC)
   */
  public CompletionStage<ClaimResult> trackInFlight(ActorRef<?> holder, String sessionId, Object requestId) {
    return tracker.claim(REQUESTS_TOPIC, holder, sessionId, JsonRpcIds.text(requestId),
        Map.of("type", "in_flight", "session_id", sessionId));
  }

  /** Releases a claim taken by {@link #trackInFlight}; only the holder's release counts. */
  public CompletionStage<Void> untrackInFlight(ActorRef<?> holder, String sessionId, Object requestId) {
    return tracker.release(REQUESTS_TOPIC, holder, sessionId, JsonRpcIds.text(requestId));
  }

  /**
   * Subscribes a local actor to resource {@code uri}: from the moment this call returns, an update of
   * {@code uri} notified on any node reaches it. Also listed by {@link #listResourceListeners}.
   */
  public CompletionStage<TrackResult> subscribeResource(ActorRef<?> listener, String uri, Map<String, Object> meta) {
    if (tracker.isLocal(listener)) hub.tell(new NotificationHub.SubscribeResource(uri, receiver(listener)));
    return tracker.track(RESOURCES_TOPIC, uri, listener, meta);
  }

  /** {@link #subscribeResource(ActorRef, String, Map)} without metadata. */
  public CompletionStage<TrackResult> subscribeResource(ActorRef<?> listener, String uri) {
    return subscribeResource(listener, uri, Map.of());
  }

  /** Ends the listener's subscription to {@code uri} (on the listener's node); the count removed. */
  public CompletionStage<Integer> unsubscribeResource(ActorRef<?> listener, String uri) {
    hubOf(listener).tell(new NotificationHub.UnsubscribeResource(uri, receiver(listener)));
    return tracker.untrack(listener, RESOURCES_TOPIC, uri);
  }

  /**
   * Merges {@code patch} into the metadata of the session's oldest entry (its home entry), on the node
   * that owns it; a {@code null} value removes that field. Completes with whether an entry was updated.
   */
  public CompletionStage<Boolean> updateSessionMeta(String sessionId, Map<String, Object> patch) {
    return tracker.updateMeta(SESSIONS_TOPIC, sessionId, patch);
  }

  // ------------------------------------------------------------------ untracking

  /** Removes every entry and registration of {@code ref}; the count of entries removed. */
  public CompletionStage<Integer> untrack(ActorRef<?> ref) {
    hubOf(ref).tell(new NotificationHub.ForgetReceiver(receiver(ref)));
    return tracker.untrack(ref);
  }

  /** Removes the session's entries and its registration for list changes; the count removed. */
  public CompletionStage<Integer> untrackSession(String sessionId) {
    Optional<NodeId> home = tracker.homeOf(sessionId);
    home.ifPresent(node -> hubAt(node.address()).tell(new NotificationHub.ForgetSession(sessionId)));
    return tracker.untrackKey(SESSIONS_TOPIC, sessionId);
  }

  /** Removes the entries under {@code requestId} and every wait for it; the count removed. */
  public CompletionStage<Integer> untrackRequest(String requestId) {
    publishQuietly(new NotificationHub.ForgetElicitation(requestId));
    return tracker.untrackKey(REQUESTS_TOPIC, requestId);
  }

  // ------------------------------------------------------------------ reads (the replicated index)

  /** The session's oldest visible entry's actor (its home entry), if the session is tracked. */
  public Optional<ActorRef<?>> getSession(String sessionId) {
    return tracker.oldest(SESSIONS_TOPIC, sessionId).map(Presence::ref);
  }

  /**
   * The session's metadata: the metadata of all its visible entries merged, oldest first (a newer
   * entry's field wins); empty if the session is not tracked.
   */
  public Map<String, Object> getSessionMeta(String sessionId) {
    List<Presence> entries = tracker.lookup(SESSIONS_TOPIC, sessionId);
    if (entries.isEmpty()) return Map.of();
    if (entries.size() == 1) return entries.get(0).meta();
    Map<String, Object> merged = new java.util.LinkedHashMap<>();
    for (Presence p : entries) merged.putAll(p.meta());
    return java.util.Collections.unmodifiableMap(merged);
  }

  /** The actor awaiting request {@code requestId}, if tracked (the oldest entry if several). */
  public Optional<ActorRef<?>> getRequest(String requestId) {
    return tracker.oldest(REQUESTS_TOPIC, requestId).map(Presence::ref);
  }

  /** The metadata of request {@code requestId}'s entry, if tracked. */
  public Optional<Map<String, Object>> getRequestMeta(String requestId) {
    return tracker.oldest(REQUESTS_TOPIC, requestId).map(Presence::meta);
  }

  /** One entry per open session (its oldest visible entry): a session with several streams is listed once. */
  public List<Presence> listSessions() {
    return tracker.listOldestPerKey(SESSIONS_TOPIC);
  }

  /** Every visible entry of the requests topic, in-flight claims included. */
  public List<Presence> listRequests() {
    return tracker.list(REQUESTS_TOPIC);
  }

  /** Every visible resource subscription. */
  public List<Presence> listResourceListeners() {
    return tracker.list(RESOURCES_TOPIC);
  }

  /** Every visible entry of the session, on all nodes, oldest first. */
  public List<Presence> listSessionStreams(String sessionId) {
    return tracker.lookup(SESSIONS_TOPIC, sessionId);
  }

  // ------------------------------------------------------------------ notifications (delivery)

  /**
   * Publishes {@code event} once to every member's hub; completes when every Up member's hub answered
   * with how many receivers it told (or at {@code phantom.presence.notify-timeout}, naming the members
   * that did not answer). A member that leaves meanwhile is not waited for.
   */
  public CompletionStage<Delivery> publish(SessionNotification event) {
    CompletableFuture<Delivery> reply = new CompletableFuture<>();
    hub.tell(new NotificationHub.Publish(event, reply));
    return reply.thenApplyAsync(delivery -> {
      if (!delivery.complete()) {
        system.log().warn("notification {} reached {} receivers; no answer from {}", event, delivery.reached(),
            delivery.unanswered());
      }
      return delivery;
    }, system.executionContext());
  }

  /** Tells every session once that the tool list changed; completes with the number of sessions told. */
  public CompletionStage<Integer> notifyToolList() {
    return count(new SessionNotification.ListChanged(SessionNotification.ListKind.TOOLS));
  }

  /** Tells every session once that the prompt list changed; the number of sessions told. */
  public CompletionStage<Integer> notifyPromptList() {
    return count(new SessionNotification.ListChanged(SessionNotification.ListKind.PROMPTS));
  }

  /** Tells every session once that the resource list changed; the number of sessions told. */
  public CompletionStage<Integer> notifyResourceList() {
    return count(new SessionNotification.ListChanged(SessionNotification.ListKind.RESOURCES));
  }

  /** Tells each listener of {@code uri} once; the number of listeners told. */
  public CompletionStage<Integer> notifyResourceUpdated(String uri) {
    return count(new SessionNotification.ResourceUpdated(uri));
  }

  /**
   * Tells each actor awaiting the URL elicitation once that it completed, then removes their entries
   * under the id; the number of actors told.
   */
  public CompletionStage<Integer> notifyElicitationComplete(String elicitationId) {
    return count(new SessionNotification.ElicitationComplete(elicitationId)).thenCompose(told -> told == 0
        ? CompletableFuture.completedFuture(0)
        : tracker.untrackKey(REQUESTS_TOPIC, elicitationId).thenApply(removed -> told));
  }

  // ------------------------------------------------------------------ internals

  private CompletionStage<Integer> count(SessionNotification event) {
    return publish(event).thenApply(Delivery::reached);
  }

  /** A command every hub must apply before the events published after it (pub-sub keeps the order). */
  private void publishQuietly(NotificationHub.Command command) {
    if (!tracker.isAvailable()) {
      hub.tell(command);
      return;
    }
    akka.cluster.pubsub.DistributedPubSub.get(Adapter.toClassic(system)).mediator()
        .tell(new akka.cluster.pubsub.DistributedPubSubMediator.Publish(NotificationHub.TOPIC, command),
            akka.actor.ActorRef.noSender());
  }

  private boolean homedHereOrAnywhere(String sessionId) {
    OptionalLong home = HomedIds.homeUid(sessionId);
    return home.isEmpty() || home.getAsLong() == tracker.selfNode().uid();
  }

  private ActorRef<NotificationHub.Command> hubOf(ActorRef<?> ref) {
    return tracker.isLocal(ref) ? hub : hubAt(ref.path().address().toString());
  }

  private ActorRef<NotificationHub.Command> hubAt(String address) {
    return address.equals(tracker.selfNode().address()) ? hub : SystemActors.on(system, address, NotificationHub.NAME);
  }

  @SuppressWarnings("unchecked")
  private static ActorRef<SessionNotification> receiver(ActorRef<?> ref) {
    return (ActorRef<SessionNotification>) ref;
  }
}
