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
 * A cluster-wide registry of actors under keys of a few topics, on Akka Distributed Data: the Java
 * equivalent of Phoenix.Tracker. It gives topics and keys no meaning; the topics are configured ({@code
 * phantom.tracker.topics}) and must be the same on every node.
 *
 * <p>Start it by getting it (the {@code child_spec} equivalent): {@code Tracker.get(system)} spawns its
 * replica under {@code /system/phantom-tracker} on first use; list it under {@code
 * akka.actor.typed.extensions} to start it with the ActorSystem.
 *
 * <pre>{@code
 * Tracker tracker = Tracker.get(system);
 * String roomId = tracker.mintId();                       // names this node as the id's home
 * tracker.track("rooms", roomId, roomActor, Map.of("title", "lobby"))
 *     .thenAccept(r -> assert r == TrackResult.TRACKED);
 * Optional<Presence> room = tracker.oldest("rooms", roomId);   // on any node, once replicated
 * }</pre>
 *
 * <h2>Guarantees</h2>
 *
 * <ul>
 *   <li><b>Owner-only writes.</b> Only the node hosting an actor adds, updates or removes its entries.
 *       Calls that name entries of other nodes ({@link #untrackKey}, {@link #updateMeta},
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
 *   <li><b>Claims</b> ({@link #claim}) are decided by one actor on the scope's home node, so at most one
 *       caller in the cluster gets {@link ClaimResult#CLAIMED} for a (scope, name), as long as that home
 *       node is up.
 * </ul>
 *
 * <p>Without a cluster (a plain local ActorSystem, or {@code phantom.tracker.mode = local}) the same API
 * works on the one node; {@link #isAvailable()} tells which mode is active.
 */
public final class Tracker implements Extension {

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
    this.index = new PresenceIndex(self, settings.topics(), settings.scopeTopic());
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

  /** The configured topics ({@code phantom.tracker.topics}). */
  public List<String> topics() {
    return settings.topics();
  }

  /**
   * A fresh, unguessable id homed on this node (see {@link HomedIds}). Ids minted here let every node
   * find the id's home without waiting for replication, which is what makes {@link #claim}
   * exact from the first request.
   */
  public String mintId() {
    return HomedIds.mint(index.self().uid(), settings.routeTag());
  }

  /**
   * The node arbitrating a scope's claims: the home named by a minted id if that node is a visible
   * member, else the owner of the scope's oldest visible entry in the scope topic ({@code
   * phantom.tracker.scope-topic}); empty when neither exists.
   */
  public Optional<NodeId> homeOf(String scope) {
    return index.homeOf(scope);
  }

  /**
   * Whether the home named by {@code id} is a cluster member that is unreachable (or not yet Up) right
   * now: {@link #homeOf} is empty for it, yet it has not left, so what it hosts may still exist. Callers
   * should answer "try again" rather than "unknown".
   */
  public boolean isHomeUnreachable(String id) {
    return index.homeIsHiddenMember(id);
  }

  // ------------------------------------------------------------------ tracking

  /**
   * Tracks a local actor under {@code key} of {@code topic}. Guarantee: when the stage completes with
   * {@link TrackResult#TRACKED}, reads on this node see the entry; other nodes see it after replication.
   * The entry is removed when the actor stops. An actor is tracked under one key of a topic once.
   */
  public CompletionStage<TrackResult> track(String topic, String key, ActorRef<?> ref, Map<String, Object> meta) {
    return track(topic, TrackerKey.id(key), ref, meta);
  }

  /**
   * Claims {@code name} within {@code scope} for the local actor {@code holder}, so that of concurrent
   * callers on any nodes exactly one gets {@link ClaimResult#CLAIMED}. The claim is decided by the
   * scope's home ({@link #homeOf}), which must host an entry under {@code scope} in the scope topic
   * ({@link ClaimResult#NO_SCOPE} otherwise). It is released by {@link #release} or when the holder
   * stops. A claim taken is also listed in {@code topic} under a {@link TrackerKey.Claim} key, which
   * never collides with a plain id.
   */
  public CompletionStage<ClaimResult> claim(String topic, ActorRef<?> holder, String scope, String name,
      Map<String, Object> meta) {
    requireTopic(topic);
    TrackerKey.Claim claim = TrackerKey.claim(scope, name);
    if (!TrackerReplica.isLocal(holder, provider)) {
      return CompletableFuture.failedFuture(
          new IllegalArgumentException("the holder of a claim must be an actor of this node: " + holder));
    }
    Optional<NodeId> home = index.homeOf(scope);
    if (home.isEmpty()) return CompletableFuture.completedFuture(ClaimResult.NO_SCOPE);
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
    return decided.thenCompose(result -> result == ClaimResult.CLAIMED
        ? track(topic, claim, holder, meta).thenApply(r -> ClaimResult.CLAIMED)
        : CompletableFuture.completedFuture(result));
  }

  /** Releases a claim taken by {@link #claim}; only the holder's release counts. */
  public CompletionStage<Void> release(String topic, ActorRef<?> holder, String scope, String name) {
    TrackerKey.Claim claim = TrackerKey.claim(scope, name);
    index.homeOf(scope).ifPresent(home -> {
      if (home.equals(index.self())) replica.tell(new TrackerReplica.Release(claim, holder));
      else replicaAt(home).tell(new RemoteRelease(home.uid(), claim, holder));
    });
    return this.<Integer>local(f -> new TrackerReplica.Untrack(Selection.BY_KEY_AND_REF, topic, claim, holder, f))
        .thenApply(n -> null);
  }

  /**
   * Merges {@code patch} into the metadata of the key's oldest entry, on the node that owns it (for a
   * key of the scope topic not replicated here yet, its home); a {@code null} value removes that field.
   * Completes with whether an entry was updated. Other nodes see the change after replication.
   */
  public CompletionStage<Boolean> updateMeta(String topic, String key, Map<String, Object> patch) {
    TrackerKey k = TrackerKey.id(key);
    Optional<NodeId> owner = index.oldest(topic, k).map(Presence::owner).or(() -> homeIn(topic, key));
    if (owner.isEmpty()) return CompletableFuture.completedFuture(false);
    Map<String, Object> copy = new LinkedHashMap<>(patch);
    NodeId node = owner.get();
    CompletionStage<Integer> updated = node.equals(index.self())
        ? local(f -> new TrackerReplica.UpdateMeta(topic, k, copy, f))
        : remoteCount(node, replyTo -> new RemoteUpdateMeta(node.uid(), topic, k, copy, replyTo));
    return updated.thenApply(n -> n > 0);
  }

  // ------------------------------------------------------------------ untracking

  /** Removes every entry of {@code ref} in every topic (on its node); the count removed. */
  public CompletionStage<Integer> untrack(ActorRef<?> ref) {
    return onOwnerOf(ref, Selection.BY_REF, null, null);
  }

  /** Removes the one entry of {@code ref} under {@code key} of {@code topic} (on its node); the count removed. */
  public CompletionStage<Integer> untrack(ActorRef<?> ref, String topic, String key) {
    return onOwnerOf(ref, Selection.BY_KEY_AND_REF, topic, TrackerKey.id(key));
  }

  /**
   * Removes every entry under {@code key} of {@code topic}, on every node that owns one (for a key of
   * the scope topic, its home is asked too); the count removed. Other entries of those actors stay.
   */
  public CompletionStage<Integer> untrackKey(String topic, String key) {
    return untrackKey(topic, TrackerKey.id(key), homeIn(topic, key));
  }

  // ------------------------------------------------------------------ reads

  /** Every visible entry under a key of a topic, oldest first. */
  public List<Presence> lookup(String topic, String key) {
    return index.lookup(topic, TrackerKey.id(key));
  }

  /** Every visible entry under a key of a topic, oldest first. */
  public List<Presence> lookup(String topic, TrackerKey key) {
    return index.lookup(topic, key);
  }

  /** The oldest visible entry under a key of a topic. */
  public Optional<Presence> oldest(String topic, String key) {
    return index.oldest(topic, TrackerKey.id(key));
  }

  /** Every visible entry of a topic. */
  public List<Presence> list(String topic) {
    return index.list(topic);
  }

  /** The oldest visible entry of each key of a topic. */
  public List<Presence> listOldestPerKey(String topic) {
    return index.listOldestPerKey(topic);
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
    if (PresenceSerializer.entrySize(key, copy) > settings.maxEntryBytes()) {
      return CompletableFuture.completedFuture(TrackResult.TOO_LARGE);
    }
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

  /** The home of a key of the scope topic (it may host the key before replication shows it). */
  private Optional<NodeId> homeIn(String topic, String key) {
    return topic.equals(settings.scopeTopic()) ? index.homeOf(key) : Optional.empty();
  }

  private void requireTopic(String topic) {
    if (!settings.topics().contains(topic)) {
      throw new IllegalArgumentException("unknown tracker topic " + topic + " (phantom.tracker.topics: " + settings.topics() + ")");
    }
  }
}
