package dev.phantom.tracker;

import dev.phantom.util.Stages;
import akka.actor.ExtendedActorSystem;
import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Extension;
import akka.actor.typed.ExtensionId;
import akka.actor.typed.Props;
import akka.actor.typed.javadsl.Adapter;
import akka.cluster.typed.Cluster;
import dev.phantom.tracker.TrackerProtocol.ClaimAnswer;
import dev.phantom.tracker.TrackerProtocol.Count;
import dev.phantom.tracker.TrackerProtocol.NotifyKind;
import dev.phantom.tracker.TrackerProtocol.RemoteClaim;
import dev.phantom.tracker.TrackerProtocol.RemoteRelease;
import dev.phantom.tracker.TrackerProtocol.RemoteUntrack;
import dev.phantom.tracker.TrackerProtocol.RemoteUpdateMeta;
import dev.phantom.tracker.TrackerProtocol.Selection;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Function;

/**
 * The cluster-wide registry of open MCP sessions, requests and resource listeners: the Java equivalent
 * of Elixir's {@code Phantom.Tracker}, on Akka Distributed Data.
 *
 * <p>Start it by getting it (the {@code child_spec} equivalent): {@code Tracker.get(system)} spawns its
 * replica under {@code /system/phantom-tracker} on first use; list it under {@code
 * akka.actor.typed.extensions} to start it with the ActorSystem.
 *
 * <pre>{@code
 * Tracker tracker = Tracker.get(system);
 * String sessionId = tracker.mintId();
 * tracker.trackSession(sessionActor, sessionId, Map.of("client", "inspector"))
 *     .thenAccept(r -> assert r == TrackResult.TRACKED);
 * Optional<ActorRef<?>> session = tracker.getSession(sessionId);   // on any node, once replicated
 * }</pre>
 *
 * <h2>Guarantees</h2>
 *
 * <ul>
 *   <li><b>Owner-only writes.</b> Only the node hosting an actor adds, updates or removes its entries.
 *       Calls that name entries of other nodes ({@link #untrackSession}, {@link #updateSessionMeta},
 *       ...) are routed to their owners. An actor's entries are removed when it stops (DeathWatch).
 *   <li><b>Reads are local and synchronous</b> (no messaging, no locks) and see this node's own writes as
 *       soon as the write's stage has completed (read-your-writes). Other nodes' writes are <b>eventually
 *       consistent</b>: they become visible after Distributed Data delta propagation (a few hundred
 *       milliseconds with the default settings; see docs/benchmarks.md for measured figures).
 *   <li><b>Node loss.</b> Entries of a node that is unreachable, downed or no longer a member are hidden
 *       from reads at once (unreachability is detected by Akka's failure detector, about 5 s after a
 *       crash); they come back if the node becomes reachable again. When the node is removed from the
 *       cluster, the leader deletes them, and a periodic sweep deletes any stragglers. A node restarted
 *       on the same host and port is a new owner ({@link NodeId} includes the incarnation uid): its
 *       predecessor's entries never come back.
 *   <li><b>Claims</b> ({@link #trackInFlight}) are decided by one actor on the session's home node, so at
 *       most one caller in the cluster gets {@link ClaimResult#CLAIMED} for a (session, request id),
 *       as long as that home node is up.
 *   <li><b>Notifications</b> are at-most-once, like every Akka message: a notification to a node that dies
 *       meanwhile is lost.
 * </ul>
 *
 * <p>Without a cluster (a plain local ActorSystem, or {@code phantom.tracker.mode = local}) the same API
 * works on the one node; {@link #isAvailable()} tells which mode is active.
 */
public final class Tracker implements Extension {

  /** The topic of sessions: the session actor and the session's streams, keyed by session id. */
  public static final String SESSIONS_TOPIC = "phantom:sessions";
  /** The topic of requests: server-to-client request ids, URL elicitation ids and in-flight claims. */
  public static final String REQUESTS_TOPIC = "phantom:requests";
  /** The topic of resource listeners, keyed by resource URI. */
  public static final String RESOURCES_TOPIC = "phantom:resources";

  /** Which replication is active. */
  public enum Mode {
    /** Entries replicate across the Akka Cluster. */
    CLUSTER,
    /** One node only: no replication, no remote routing. */
    LOCAL
  }

  /** The extension id: {@code Tracker.get(system)}. */
  public static final class Id extends ExtensionId<Tracker> {
    private Id() {}

    @Override
    public Tracker createExtension(ActorSystem<?> system) {
      return new Tracker(system);
    }
  }

  private static final Id ID = new Id();

  /** The tracker of this ActorSystem, started on first use. */
  public static Tracker get(ActorSystem<?> system) {
    return ID.apply(system);
  }

  /** The tracker of a classic ActorSystem. */
  public static Tracker get(akka.actor.ActorSystem system) {
    return ID.apply(Adapter.toTyped(system));
  }

  private final ActorSystem<?> system;
  private final TrackerSettings settings;
  private final Mode mode;
  private final PresenceIndex index;
  private final ActorRef<TrackerReplica.Command> replica;
  private final Executor executor;
  private final akka.actor.ActorRefProvider provider;

  private Tracker(ActorSystem<?> system) {
    this.system = system;
    this.settings = TrackerSettings.fromConfig(system.settings().config());
    boolean clusterProvider =
        ((ExtendedActorSystem) Adapter.toClassic(system)).provider() instanceof akka.cluster.ClusterActorRefProvider;
    this.mode = switch (settings.mode()) {
      case "local" -> Mode.LOCAL;
      case "cluster" -> {
        if (!clusterProvider) {
          throw new IllegalStateException("phantom.tracker.mode = cluster needs akka.actor.provider = cluster");
        }
        yield Mode.CLUSTER;
      }
      default -> clusterProvider ? Mode.CLUSTER : Mode.LOCAL;
    };
    NodeId self = mode == Mode.CLUSTER
        ? NodeId.of(Cluster.get(system).selfMember().uniqueAddress())
        : new NodeId(system.address().toString(), new SecureRandom().nextLong());
    this.index = new PresenceIndex(self);
    this.executor = system.executionContext();
    this.provider = ((ExtendedActorSystem) Adapter.toClassic(system)).provider();
    this.replica = system.systemActorOf(
        TrackerReplica.create(settings, index, mode == Mode.CLUSTER), TrackerReplica.NAME, Props.empty());
    if (mode == Mode.CLUSTER) {
      akka.actor.CoordinatedShutdown.get(Adapter.toClassic(system)).addTask(
          akka.actor.CoordinatedShutdown.PhaseBeforeClusterShutdown(), "phantom-tracker-leave",
          () -> leave().thenApply(done -> akka.Done.getInstance()));
    }
  }

  // ------------------------------------------------------------------ mode, topics, ids

  /**
   * Whether cluster-wide tracking is active. {@code false} in local mode, where every function still
   * works for this one node.
   */
  public boolean isAvailable() {
    return mode == Mode.CLUSTER;
  }

  /** The active mode. */
  public Mode mode() {
    return mode;
  }

  /** The nodes whose entries reads show now: this node and the reachable members (Weakly)Up, Leaving or Exiting. */
  public Set<NodeId> visibleNodes() {
    return index.visibleOwners();
  }

  /**
   * Whether this node has read the cluster's presence state: in a cluster, once it is Up and has read
   * every Distributed Data key from a majority of the nodes; in local mode, always.
   */
  public boolean isSynced() {
    return index.isSynced();
  }

  /**
   * Graceful leave: removes every entry of this node (its actors keep running) and hands the removals
   * to replication, so the other nodes drop them within a delta tick instead of waiting for this node
   * to be removed. Run by {@code CoordinatedShutdown} before the node leaves the cluster.
   */
  public CompletionStage<Void> leave() {
    return this.<Void>local(TrackerReplica.Leave::new);
  }

  /** Whether {@code ref} is an actor of this node (only such actors can be tracked here). */
  public boolean isLocal(ActorRef<?> ref) {
    return TrackerReplica.isLocal(ref, provider);
  }

  /** This node's identity as an owner of entries. */
  public NodeId selfNode() {
    return index.self();
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

  /**
   * A fresh, unguessable id homed on this node (see {@link HomedIds}). Ids minted here let every node
   * find the session's home without waiting for replication, which is what makes {@link #trackInFlight}
   * exact from the first request.
   */
  public String mintId() {
    return HomedIds.mint(index.self().uid());
  }

  /**
   * The node arbitrating a session: the home named by a minted id if that node is a visible member,
   * else the owner of the session's oldest visible entry; empty when neither exists.
   */
  public Optional<NodeId> homeOf(String sessionId) {
    return index.homeOf(sessionId);
  }

  /**
   * Whether the home named by {@code id} is a cluster member that is unreachable (or not yet Up) right
   * now: {@link #homeOf} is empty for it, yet it has not left, so its sessions may still exist. Callers
   * should answer "try again" rather than "unknown".
   */
  public boolean isHomeUnreachable(String id) {
    return index.homeIsHiddenMember(id);
  }

  // ------------------------------------------------------------------ tracking

  /**
   * Tracks a local actor as (a stream of) the session {@code sessionId}. Guarantee: when the stage
   * completes with {@link TrackResult#TRACKED}, reads on this node see the entry; other nodes see it
   * after replication. The entry is removed when the actor stops.
   */
  public CompletionStage<TrackResult> trackSession(ActorRef<?> ref, String sessionId, Map<String, Object> meta) {
    return track(SESSIONS_TOPIC, TrackerKey.id(sessionId), ref, meta);
  }

  /** {@link #trackSession(ActorRef, String, Map)} without metadata. */
  public CompletionStage<TrackResult> trackSession(ActorRef<?> ref, String sessionId) {
    return trackSession(ref, sessionId, Map.of());
  }

  /**
   * Tracks a local actor as the receiver of a request id (a server-to-client request awaiting its answer,
   * or a URL elicitation id). Same guarantees as {@link #trackSession}.
   */
  public CompletionStage<TrackResult> trackRequest(ActorRef<?> ref, String requestId, Map<String, Object> meta) {
    return track(REQUESTS_TOPIC, TrackerKey.id(requestId), ref, meta);
  }

  /**
   * Claims the JSON-RPC request {@code requestId} of a session for the local actor {@code holder}, so a
   * request that lands on two nodes (a proxy retry) runs once. The claim is decided by the session's
   * home node ({@link #homeOf}); exactly one concurrent caller cluster-wide gets {@link
   * ClaimResult#CLAIMED} as long as that node is up. The claim is released by {@link #untrackInFlight}
   * or when the holder stops. A claimed request also appears in {@link #listRequests()} under a {@link
   * TrackerKey.InFlight} key, which never collides with a plain request id.
   *
   * @param requestId the JSON-RPC id: a {@link String} or an integral {@link Number}
   */
  public CompletionStage<ClaimResult> trackInFlight(ActorRef<?> holder, String sessionId, Object requestId) {
    TrackerKey.InFlight claim = TrackerKey.inFlight(sessionId, requestId);
    if (!TrackerReplica.isLocal(holder, provider)) {
      return CompletableFuture.failedFuture(
          new IllegalArgumentException("the holder of a claim must be an actor of this node: " + holder));
    }
    Optional<NodeId> home = index.homeOf(sessionId);
    if (home.isEmpty()) return CompletableFuture.completedFuture(ClaimResult.NO_SESSION);
    CompletionStage<ClaimResult> decided;
    if (home.get().equals(index.self())) {
      decided = local(f -> new TrackerReplica.Claim(claim, holder, f));
    } else {
      NodeId arbiter = home.get();
      decided = Stages.<TrackerReplica.Command, ClaimAnswer>ask(
              replicaAt(arbiter),
              replyTo -> new RemoteClaim(arbiter.uid(), claim, holder, replyTo),
              settings.remoteCallTimeout(),
              system.scheduler())
          .thenApply(ClaimAnswer::result)
          .exceptionally(timeout -> ClaimResult.ARBITER_UNREACHABLE);
    }
    Map<String, Object> meta = Map.of("type", "in_flight", "session_id", sessionId);
    return decided.thenCompose(result -> result == ClaimResult.CLAIMED
        ? track(REQUESTS_TOPIC, claim, holder, meta).thenApply(r -> ClaimResult.CLAIMED)
        : CompletableFuture.completedFuture(result));
  }

  /** Releases a claim taken by {@link #trackInFlight}; only the holder's release counts. */
  public CompletionStage<Void> untrackInFlight(ActorRef<?> holder, String sessionId, Object requestId) {
    TrackerKey.InFlight claim = TrackerKey.inFlight(sessionId, requestId);
    index.homeOf(sessionId).ifPresent(home -> {
      if (home.equals(index.self())) replica.tell(new TrackerReplica.Release(claim, holder));
      else replicaAt(home).tell(new RemoteRelease(home.uid(), claim, holder));
    });
    return this.<Integer>local(f -> new TrackerReplica.Untrack(Selection.BY_KEY_AND_REF, REQUESTS_TOPIC, claim, holder, f))
        .thenApply(n -> null);
  }

  /**
   * Tracks a local actor as a listener of resource {@code uri}; {@link #notifyResourceUpdated} reaches it
   * from any node.
   */
  public CompletionStage<TrackResult> subscribeResource(ActorRef<?> listener, String uri, Map<String, Object> meta) {
    return track(RESOURCES_TOPIC, TrackerKey.id(uri), listener, meta);
  }

  /** {@link #subscribeResource(ActorRef, String, Map)} without metadata. */
  public CompletionStage<TrackResult> subscribeResource(ActorRef<?> listener, String uri) {
    return subscribeResource(listener, uri, Map.of());
  }

  /** Removes the listener's subscription to {@code uri} (on the listener's node); the count removed. */
  public CompletionStage<Integer> unsubscribeResource(ActorRef<?> listener, String uri) {
    return onOwnerOf(listener, Selection.BY_KEY_AND_REF, RESOURCES_TOPIC, TrackerKey.id(uri));
  }

  /**
   * Merges {@code patch} into the metadata of the session's oldest entry (its home entry), on the node
   * that owns it; a {@code null} value removes that field. Completes with whether an entry was updated.
   * Other nodes see the change after replication.
   */
  public CompletionStage<Boolean> updateSessionMeta(String sessionId, Map<String, Object> patch) {
    TrackerKey key = TrackerKey.id(sessionId);
    Optional<NodeId> owner = index.oldest(SESSIONS_TOPIC, key).map(Presence::owner).or(() -> index.homeOf(sessionId));
    if (owner.isEmpty()) return CompletableFuture.completedFuture(false);
    Map<String, Object> copy = new LinkedHashMap<>(patch);
    NodeId node = owner.get();
    CompletionStage<Integer> updated = node.equals(index.self())
        ? local(f -> new TrackerReplica.UpdateMeta(SESSIONS_TOPIC, key, copy, f))
        : remoteCount(node, replyTo -> new RemoteUpdateMeta(node.uid(), SESSIONS_TOPIC, key, copy, replyTo));
    return updated.thenApply(n -> n > 0);
  }

  // ------------------------------------------------------------------ untracking

  /** Removes every entry of {@code ref} in every topic (on its node); the count removed. */
  public CompletionStage<Integer> untrack(ActorRef<?> ref) {
    return onOwnerOf(ref, Selection.BY_REF, null, null);
  }

  /**
   * Removes the session's entries in the sessions topic, on every node that owns one; the count removed.
   * Unlike the original it removes nothing else (the actors' other entries stay): stopping the session's
   * actors is what ends all of their entries.
   */
  public CompletionStage<Integer> untrackSession(String sessionId) {
    return untrackKey(SESSIONS_TOPIC, TrackerKey.id(sessionId), index.homeOf(sessionId));
  }

  /** Removes the entries under {@code requestId} in the requests topic, on their owners; the count removed. */
  public CompletionStage<Integer> untrackRequest(String requestId) {
    return untrackKey(REQUESTS_TOPIC, TrackerKey.id(requestId), Optional.empty());
  }

  // ------------------------------------------------------------------ reads

  /** The session's oldest visible entry's actor (its home entry), if the session is tracked. */
  public Optional<ActorRef<?>> getSession(String sessionId) {
    return index.oldest(SESSIONS_TOPIC, TrackerKey.id(sessionId)).map(Presence::ref);
  }

  /**
   * The session's metadata: the metadata of all its visible entries merged, oldest first (a newer
   * entry's field wins); empty if the session is not tracked.
   */
  public Map<String, Object> getSessionMeta(String sessionId) {
    List<Presence> entries = index.lookup(SESSIONS_TOPIC, TrackerKey.id(sessionId));
    if (entries.isEmpty()) return Map.of();
    if (entries.size() == 1) return entries.get(0).meta();
    Map<String, Object> merged = new LinkedHashMap<>();
    for (Presence p : entries) merged.putAll(p.meta());
    return java.util.Collections.unmodifiableMap(merged);
  }

  /** The actor awaiting request {@code requestId}, if tracked (the oldest entry if several). */
  public Optional<ActorRef<?>> getRequest(String requestId) {
    return index.oldest(REQUESTS_TOPIC, TrackerKey.id(requestId)).map(Presence::ref);
  }

  /** The metadata of request {@code requestId}'s entry, if tracked. */
  public Optional<Map<String, Object>> getRequestMeta(String requestId) {
    return index.oldest(REQUESTS_TOPIC, TrackerKey.id(requestId)).map(Presence::meta);
  }

  /**
   * One entry per open session (its oldest visible entry). Unlike the original, a session with several
   * streams is listed once.
   */
  public List<Presence> listSessions() {
    return index.listOldestPerKey(SESSIONS_TOPIC);
  }

  /** Every visible entry of the requests topic, in-flight claims included. */
  public List<Presence> listRequests() {
    return index.list(REQUESTS_TOPIC);
  }

  /** Every visible resource subscription. */
  public List<Presence> listResourceListeners() {
    return index.list(RESOURCES_TOPIC);
  }

  /** Every visible entry of the session, on all nodes, oldest first. */
  public List<Presence> listSessionStreams(String sessionId) {
    return index.lookup(SESSIONS_TOPIC, TrackerKey.id(sessionId));
  }

  /** Every visible entry under a key of a topic, oldest first. */
  public List<Presence> lookup(String topic, TrackerKey key) {
    return index.lookup(topic, key);
  }

  // ------------------------------------------------------------------ notifications

  /**
   * Tells every session once that the tool list changed ({@link TrackerNotification.ToolListChanged}):
   * one message to every member's tracker replica, then each node tells the sessions homed on it, through
   * their oldest local entry. Completes with the number of sessions reached, summed over the nodes that
   * answered within {@code phantom.tracker.notify-timeout}.
   */
  public CompletionStage<Integer> notifyToolList() {
    return local(f -> new TrackerReplica.Notify(NotifyKind.TOOLS, f));
  }

  /** As {@link #notifyToolList()}, with {@link TrackerNotification.PromptListChanged}. */
  public CompletionStage<Integer> notifyPromptList() {
    return local(f -> new TrackerReplica.Notify(NotifyKind.PROMPTS, f));
  }

  /** As {@link #notifyToolList()}, with {@link TrackerNotification.ResourceListChanged}. */
  public CompletionStage<Integer> notifyResourceList() {
    return local(f -> new TrackerReplica.Notify(NotifyKind.RESOURCES, f));
  }

  /**
   * Tells each visible listener of {@code uri} once ({@link TrackerNotification.ResourceUpdated});
   * completes with the number of listeners told.
   */
  public CompletionStage<Integer> notifyResourceUpdated(String uri) {
    int told = tellEach(index.lookup(RESOURCES_TOPIC, TrackerKey.id(uri)), new TrackerNotification.ResourceUpdated(uri));
    return CompletableFuture.completedFuture(told);
  }

  /**
   * Tells each actor tracked under the URL elicitation id that the elicitation completed ({@link
   * TrackerNotification.ElicitationComplete}), then removes those entries (on their owners). Completes
   * with the number of actors told.
   */
  public CompletionStage<Integer> notifyElicitationComplete(String elicitationId) {
    List<Presence> waiting = index.lookup(REQUESTS_TOPIC, TrackerKey.id(elicitationId));
    int told = tellEach(waiting, new TrackerNotification.ElicitationComplete(elicitationId));
    if (told == 0) return CompletableFuture.completedFuture(0);
    return untrackKey(REQUESTS_TOPIC, TrackerKey.id(elicitationId), Optional.empty()).thenApply(removed -> told);
  }

  // ------------------------------------------------------------------ diffs

  /**
   * Subscribes {@code listener} to this node's joins and leaves of {@code topic}: its own writes, the
   * replicated writes of other nodes as they arrive, and the synthetic leaves (and joins) when a node
   * becomes unreachable, leaves or is removed (and comes back). The subscription ends when the listener
   * stops.
   */
  public void subscribe(String topic, ActorRef<TrackerDiff> listener) {
    requireTopic(topic);
    replica.tell(new TrackerReplica.Subscribe(topic, listener));
  }

  /** Ends a {@link #subscribe} subscription. */
  public void unsubscribe(String topic, ActorRef<TrackerDiff> listener) {
    replica.tell(new TrackerReplica.Unsubscribe(topic, listener));
  }

  // ------------------------------------------------------------------ statistics

  /**
   * A snapshot of this node's tracker. With {@code measureKeySizes}, also serializes every Distributed
   * Data key to report the largest (costly with many entries: for operators and benchmarks, not for hot
   * paths).
   */
  public CompletionStage<TrackerStats> stats(boolean measureKeySizes) {
    return local(f -> new TrackerReplica.GetStats(measureKeySizes, f));
  }

  // ------------------------------------------------------------------ internals

  private CompletionStage<TrackResult> track(String topic, TrackerKey key, ActorRef<?> ref, Map<String, Object> meta) {
    requireTopic(topic);
    Map<String, Object> copy = meta == null ? Map.of() : new LinkedHashMap<>(meta);
    return local(f -> new TrackerReplica.Track(topic, key, ref, copy, f));
  }

  private CompletionStage<Integer> untrackKey(String topic, TrackerKey key, Optional<NodeId> alsoAsk) {
    Set<NodeId> owners = new LinkedHashSet<>();
    owners.add(index.self());
    for (Presence p : index.lookup(topic, key)) owners.add(p.owner());
    alsoAsk.ifPresent(owners::add);
    List<CompletableFuture<Integer>> counts = new ArrayList<>();
    for (NodeId owner : owners) {
      CompletionStage<Integer> count = owner.equals(index.self())
          ? local(f -> new TrackerReplica.Untrack(Selection.BY_KEY, topic, key, null, f))
          : remoteCount(owner, replyTo -> new RemoteUntrack(owner.uid(), Selection.BY_KEY, topic, key, null, replyTo));
      counts.add(count.toCompletableFuture());
    }
    return CompletableFuture.allOf(counts.toArray(CompletableFuture[]::new))
        .thenApply(done -> counts.stream().mapToInt(CompletableFuture::join).sum());
  }

  private CompletionStage<Integer> onOwnerOf(ActorRef<?> ref, Selection selection, String topic, TrackerKey key) {
    String address = TrackerReplica.isLocal(ref, provider) ? index.self().address() : ref.path().address().toString();
    Optional<NodeId> owner = index.memberAt(address);
    if (owner.isEmpty()) return CompletableFuture.completedFuture(0);
    NodeId node = owner.get();
    if (node.equals(index.self())) return local(f -> new TrackerReplica.Untrack(selection, topic, key, ref, f));
    return remoteCount(node, replyTo -> new RemoteUntrack(node.uid(), selection, topic, key, ref, replyTo));
  }

  private CompletionStage<Integer> remoteCount(NodeId node, akka.japi.function.Function<ActorRef<Count>, TrackerReplica.Command> message) {
    return Stages.<TrackerReplica.Command, Count>ask(
            replicaAt(node), message, settings.remoteCallTimeout(), system.scheduler())
        .thenApply(Count::value)
        .exceptionally(unanswered -> 0);
  }

  private ActorRef<TrackerReplica.Command> replicaAt(NodeId node) {
    return TrackerReplica.at(system, node);
  }

  /** Sends a command carrying a future to the local replica; callbacks then run on the dispatcher, never on the replica. */
  private <T> CompletionStage<T> local(Function<CompletableFuture<T>, TrackerReplica.Command> message) {
    CompletableFuture<T> reply = new CompletableFuture<>();
    replica.tell(message.apply(reply));
    return reply.thenApplyAsync(Function.identity(), executor);
  }

  private static int tellEach(List<Presence> entries, TrackerNotification message) {
    Set<ActorRef<?>> told = new LinkedHashSet<>();
    for (Presence p : entries) {
      if (told.add(p.ref())) p.ref().unsafeUpcast().tell(message);
    }
    return told.size();
  }

  private static void requireTopic(String topic) {
    if (!TrackerReplica.TOPICS.contains(topic)) throw new IllegalArgumentException("unknown tracker topic: " + topic);
  }
}
