package dev.phantom.tracker;

import akka.actor.Address;
import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.SupervisorStrategy;
import akka.actor.typed.Terminated;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Adapter;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.TimerScheduler;
import akka.cluster.ClusterEvent;
import akka.cluster.MemberStatus;
import akka.cluster.ddata.Key;
import akka.cluster.ddata.ORSet;
import akka.cluster.ddata.ORSetKey;
import akka.cluster.ddata.SelfUniqueAddress;
import akka.cluster.ddata.typed.javadsl.Replicator;
import akka.cluster.ddata.typed.javadsl.ReplicatorSettings;
import akka.cluster.typed.Cluster;
import dev.phantom.tracker.TrackerProtocol.ClaimAnswer;
import dev.phantom.tracker.TrackerProtocol.Count;
import dev.phantom.tracker.TrackerProtocol.Fanout;
import dev.phantom.tracker.TrackerProtocol.NotifyKind;
import dev.phantom.tracker.TrackerProtocol.RemoteClaim;
import dev.phantom.tracker.TrackerProtocol.RemoteRelease;
import dev.phantom.tracker.TrackerProtocol.RemoteUntrack;
import dev.phantom.tracker.TrackerProtocol.RemoteUpdateMeta;
import dev.phantom.tracker.TrackerProtocol.Selection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * The tracker's replica on one node: the only writer of this node's entries and of its {@link
 * PresenceIndex}. It owns
 *
 * <ul>
 *   <li>this node's entries (owner-only writes): tracked on request, removed when the actor stops
 *       (DeathWatch) or on request, and pushed to the tracker's own Distributed Data replicator as
 *       {@code WriteLocal} updates batched per shard key;
 *   <li>the replicated view: each shard key is read from the local replicator every {@code
 *       notify-subscribers-interval}; a key whose value object changed is diffed against the previous
 *       value (by register identity, so the cost follows the changes, not the key's size), applied to
 *       the index and reported to diff subscribers;
 *   <li>reconciliation: this node's live table is authoritative for entries it owns, so an own entry
 *       that reappears after removal (a concurrent add won in the OR-set) is removed again, and one
 *       missing is put again; this is the tombstone mechanism, without keeping tombstones;
 *   <li>membership: owners that are unreachable, downed or gone are hidden from reads at once; the
 *       leader deletes a removed node's entries on {@code MemberRemoved}, again when it becomes leader
 *       and when an entry of a removed node arrives late, and sweeps periodically for entries of owners
 *       that are no longer members;
 *   <li>claims for the sessions homed on this node (linearizable: one actor decides);
 *   <li>the local half of list_changed fan-out.
 * </ul>
 *
 * In local mode (no cluster) it is the same actor without replicator or membership.
 */
final class TrackerReplica {

  static final String NAME = "phantom-tracker";
  static final List<String> TOPICS =
      List.of(Tracker.SESSIONS_TOPIC, Tracker.REQUESTS_TOPIC, Tracker.RESOURCES_TOPIC);
  private static final Set<MemberStatus> VISIBLE_STATUSES =
      Set.of(MemberStatus.weaklyUp(), MemberStatus.up(), MemberStatus.leaving(), MemberStatus.exiting());

  interface Command {}

  record Track(String topic, TrackerKey key, ActorRef<?> ref, Map<String, Object> meta, CompletableFuture<TrackResult> reply)
      implements Command {}

  record Untrack(Selection selection, String topic, TrackerKey key, ActorRef<?> ref, CompletableFuture<Integer> reply)
      implements Command {}

  record UpdateMeta(String topic, TrackerKey key, Map<String, Object> patch, CompletableFuture<Integer> reply)
      implements Command {}

  record Claim(TrackerKey.InFlight claim, ActorRef<?> holder, CompletableFuture<ClaimResult> reply) implements Command {}

  record Release(TrackerKey.InFlight claim, ActorRef<?> holder) implements Command {}

  record Subscribe(String topic, ActorRef<TrackerDiff> listener) implements Command {}

  record Unsubscribe(String topic, ActorRef<TrackerDiff> listener) implements Command {}

  record Notify(NotifyKind kind, CompletableFuture<Integer> reply) implements Command {}

  record GetStats(boolean measureKeys, CompletableFuture<TrackerStats> reply) implements Command {}

  /** Graceful leave: remove every own entry and push the removals to the other nodes before leaving. */
  record Leave(CompletableFuture<Void> done) implements Command {}

  /** A sync read of one key: its merged value (null when not found or failed). */
  private record SyncAnswer(int shard, ORSet<Presence> value, boolean ok) implements Command {}

  private enum SyncRetry implements Command {
    INSTANCE
  }

  /** How many nodes (itself included) the replicator knows, asked before the sync read. */
  private record ReplicaCountKnown(int replicas) implements Command {}

  private enum PollTick implements Command {
    INSTANCE
  }

  @SuppressWarnings("rawtypes")
  private record ShardPolled(Replicator.GetResponse response) implements Command {}

  /** @param othersRemoved the update removed other owners' entries (the leader deleting a departed node's) */
  private record ShardUpdated(int shard, boolean ok, String failure, boolean othersRemoved) implements Command {}

  private record ClusterChanged(ClusterEvent.ClusterDomainEvent event) implements Command {}

  private enum SweepTick implements Command {
    INSTANCE
  }

  private enum UpdateTick implements Command {
    INSTANCE
  }

  /** One pending change of a shard key, by entry id; turned into element operations when handed over. */
  private sealed interface Op {}

  private record Put(String entryId, Presence presence) implements Op {}

  private record Remove(String entryId) implements Op {}

  static Behavior<Command> create(TrackerSettings settings, PresenceIndex index, boolean clustered) {
    Behavior<Command> replica = Behaviors.setup(
        ctx -> Behaviors.withTimers(timers -> new TrackerReplica(ctx, timers, settings, index, clustered).behavior()));
    // Resume, never restart: a restart would forget this node's live entries and claims.
    return Behaviors.supervise(replica).onFailure(RuntimeException.class, SupervisorStrategy.resume());
  }

  private final ActorContext<Command> ctx;
  private final TrackerSettings settings;
  private final PresenceIndex index;
  private final boolean clustered;
  private final NodeId self;
  private final Address selfAddress;
  private final int shardsPerTopic;
  private final akka.actor.ActorRefProvider provider;

  // cluster mode only
  private final ActorRef<Replicator.GetResponse> pollAnswers;
  private final ActorRef<Replicator.Command> replicatorRef;
  private final SelfUniqueAddress selfUnique;
  private final List<Key<ORSet<Presence>>> keys = new ArrayList<>();
  private final Map<String, Integer> shardByKeyId = new HashMap<>();

  /** Per shard key (topic-major): this node's entries, by entry id. Authoritative for own entries. */
  private final List<Map<String, Presence>> own = new ArrayList<>();
  /** Per shard key: the value {@link #replicated} and the index reflect (the last one diffed). */
  private final List<ORSet<Presence>> lastSeen = new ArrayList<>();
  /** Per shard key: the last value the replicator reported (diffed or not). */
  private final List<ORSet<Presence>> lastPolled = new ArrayList<>();
  /** Shards whose next poll is diffed even if only this node changed the key. */
  private final boolean[] diffNext;
  private long lastFullDiff = System.nanoTime();
  /** Per shard key: the elements of {@link #lastSeen} by entry id (every owner's). */
  private final List<Map<String, Presence>> replicated = new ArrayList<>();
  /**
   * Per shard key: this node's elements as last handed to the replicator, by entry id. A removal or a
   * replacement must name the element the replicator holds, which the last poll may not show yet.
   */
  private final List<Map<String, Presence>> handedOver = new ArrayList<>();
  private final List<List<Op>> pending = new ArrayList<>();
  private final boolean[] updateInFlight;
  /** Shards whose replicated value showed an own entry that differs from the live table. */
  private final boolean[] needsReconcile;
  /** Entry operations this node may still hand to the replicator in the current delta-propagation tick. */
  private int budget;
  /** Shards with pending operations waiting for the next tick's budget, in arrival order. */
  private final java.util.LinkedHashSet<Integer> scheduled = new java.util.LinkedHashSet<>();
  private final TimerScheduler<Command> timers;
  private boolean syncStarted;
  private int syncOutstanding;
  private boolean syncFailed;
  /** Set by a graceful leave: no budget, and the future completes when every update is done. */
  private CompletableFuture<Void> leaving;

  private final Map<ActorRef<?>, List<Presence>> ownByRef = new HashMap<>();
  private final Map<TrackerKey.InFlight, ActorRef<?>> claims = new HashMap<>();
  private final Map<ActorRef<?>, Set<TrackerKey.InFlight>> claimsByHolder = new HashMap<>();
  private final Map<String, Set<ActorRef<TrackerDiff>>> subscribers = new HashMap<>();

  private final Map<NodeId, MemberStatus> members = new HashMap<>();
  private final Set<NodeId> unreachable = new HashSet<>();
  private final Map<NodeId, Long> absentSince = new HashMap<>();
  /** Removed incarnations whose entries may still be in the replicated state (pruned by the sweep). */
  private final Set<NodeId> removedOwners = new HashSet<>();
  private Address leader;

  private TrackerReplica(
      ActorContext<Command> ctx,
      TimerScheduler<Command> timers,
      TrackerSettings settings,
      PresenceIndex index,
      boolean clustered) {
    this.ctx = ctx;
    this.timers = timers;
    this.settings = settings;
    this.index = index;
    this.clustered = clustered;
    this.self = index.self();
    this.shardsPerTopic = settings.shardsPerTopic();
    this.provider = ((akka.actor.ExtendedActorSystem) Adapter.toClassic(ctx.getSystem())).provider();
    int shardCount = TOPICS.size() * shardsPerTopic;
    this.updateInFlight = new boolean[shardCount];
    this.needsReconcile = new boolean[shardCount];
    this.diffNext = new boolean[shardCount];
    for (int i = 0; i < shardCount; i++) {
      own.add(new HashMap<>());
      lastSeen.add(ORSet.create());
      lastPolled.add(lastSeen.get(i));
      replicated.add(new HashMap<>());
      handedOver.add(new HashMap<>());
      pending.add(new ArrayList<>());
    }
    if (clustered) {
      Cluster cluster = Cluster.get(ctx.getSystem());
      this.selfAddress = cluster.selfMember().address();
      this.selfUnique = new SelfUniqueAddress(cluster.selfMember().uniqueAddress());
      ActorRef<Replicator.Command> replicatorRef =
          ctx.spawn(Replicator.behavior(ReplicatorSettings.create(settings.replicatorConfig())), "replicator");
      this.replicatorRef = replicatorRef;
      for (int t = 0; t < TOPICS.size(); t++) {
        String shortName = TOPICS.get(t).substring(TOPICS.get(t).indexOf(':') + 1);
        for (int i = 0; i < shardsPerTopic; i++) {
          Key<ORSet<Presence>> key = ORSetKey.create("phantom-set-" + shortName + "-" + i);
          keys.add(key);
          shardByKeyId.put(key.id(), t * shardsPerTopic + i);
        }
      }
      // Polled, not subscribed: the replicator digests (fully serializes and hashes) a subscribed key on
      // its first change in every notify interval, which measured 37 % of session creation's CPU at
      // 20,000 sessions and grows with the entries. A local Get returns the value object itself, so an
      // unchanged key costs one reference comparison.
      this.pollAnswers = ctx.messageAdapter(Replicator.GetResponse.class, ShardPolled::new);
      timers.startTimerWithFixedDelay(PollTick.INSTANCE,
          settings.replicatorConfig().getDuration("notify-subscribers-interval"));
      ActorRef<ClusterEvent.ClusterDomainEvent> events =
          ctx.messageAdapter(ClusterEvent.ClusterDomainEvent.class, ClusterChanged::new);
      cluster.subscriptions().tell(akka.cluster.typed.Subscribe.create(events, ClusterEvent.ClusterDomainEvent.class));
      timers.startTimerWithFixedDelay(SweepTick.INSTANCE, settings.sweepInterval());
      budget = settings.maxUpdatesPerTick();
      timers.startTimerWithFixedDelay(UpdateTick.INSTANCE, settings.updateTick());
    } else {
      this.selfAddress = ctx.getSystem().address();
      this.selfUnique = null;
      this.pollAnswers = null;
      this.replicatorRef = null;
      index.setSynced(true);
    }
  }

  private Behavior<Command> behavior() {
    return Behaviors.receive(Command.class)
        .onMessage(Track.class, this::onTrack)
        .onMessage(Untrack.class, this::onUntrack)
        .onMessage(RemoteUntrack.class, this::onRemoteUntrack)
        .onMessage(UpdateMeta.class, this::onUpdateMeta)
        .onMessage(RemoteUpdateMeta.class, this::onRemoteUpdateMeta)
        .onMessage(Claim.class, this::onClaim)
        .onMessage(RemoteClaim.class, this::onRemoteClaim)
        .onMessage(Release.class, m -> onRelease(m.claim(), m.holder()))
        .onMessage(RemoteRelease.class, m -> m.targetUid() == self.uid() ? onRelease(m.claim(), m.holder()) : Behaviors.same())
        .onMessage(Subscribe.class, this::onSubscribe)
        .onMessage(Unsubscribe.class, this::onUnsubscribe)
        .onMessage(Notify.class, this::onNotify)
        .onMessage(Fanout.class, this::onFanout)
        .onMessage(PollTick.class, m -> onPollTick())
        .onMessage(ShardPolled.class, this::onShardPolled)
        .onMessage(ShardUpdated.class, this::onShardUpdated)
        .onMessage(ClusterChanged.class, this::onClusterChanged)
        .onMessage(SweepTick.class, m -> onSweep())
        .onMessage(UpdateTick.class, m -> onUpdateTick())
        .onMessage(GetStats.class, this::onGetStats)
        .onMessage(Leave.class, this::onLeave)
        .onMessage(SyncAnswer.class, this::onSyncAnswer)
        .onMessage(ReplicaCountKnown.class, this::onReplicaCountKnown)
        .onMessage(SyncRetry.class, m -> {
          startSync();
          return Behaviors.same();
        })
        .onSignal(Terminated.class, this::onTerminated)
        .build();
  }

  // ---------------------------------------------------------------- own entries

  private Behavior<Command> onTrack(Track m) {
    if (!isLocal(m.ref())) {
      m.reply().complete(TrackResult.NOT_LOCAL);
      return Behaviors.same();
    }
    int shard = shardOf(m.topic(), m.key());
    String id = entryId(m.key(), m.ref());
    if (own.get(shard).containsKey(id)) {
      m.reply().complete(TrackResult.ALREADY_TRACKED);
      return Behaviors.same();
    }
    Presence p = new Presence(m.topic(), m.key(), m.ref(), self, m.meta(), System.currentTimeMillis());
    own.get(shard).put(id, p);
    ownByRef.computeIfAbsent(m.ref(), r -> new ArrayList<>(2)).add(p);
    ctx.watch(m.ref());
    index.add(p);
    enqueue(shard, new Put(id, p));
    Diffs diffs = new Diffs();
    diffs.join(p);
    diffs.publish();
    m.reply().complete(TrackResult.TRACKED);
    return Behaviors.same();
  }

  private Behavior<Command> onUntrack(Untrack m) {
    m.reply().complete(untrackOwn(m.selection(), m.topic(), m.key(), m.ref()));
    return Behaviors.same();
  }

  private Behavior<Command> onRemoteUntrack(RemoteUntrack m) {
    int removed = m.targetUid() == self.uid() ? untrackOwn(m.selection(), m.topic(), m.key(), m.ref()) : 0;
    m.replyTo().tell(new Count(removed));
    return Behaviors.same();
  }

  private int untrackOwn(Selection selection, String topic, TrackerKey key, ActorRef<?> ref) {
    List<Presence> victims = new ArrayList<>();
    switch (selection) {
      case BY_REF -> victims.addAll(ownByRef.getOrDefault(ref, List.of()));
      case BY_KEY -> victims.addAll(ownUnder(topic, key));
      case BY_KEY_AND_REF -> {
        for (Presence p : ownUnder(topic, key)) if (p.ref().equals(ref)) victims.add(p);
      }
    }
    Diffs diffs = new Diffs();
    for (Presence p : victims) removeOwn(p, diffs);
    diffs.publish();
    return victims.size();
  }

  private List<Presence> ownUnder(String topic, TrackerKey key) {
    List<Presence> out = new ArrayList<>(1);
    for (Presence p : index.rawTopic(topic).getOrDefault(key, new Presence[0])) {
      if (p.owner().equals(self)) out.add(p);
    }
    return out;
  }

  private void removeOwn(Presence p, Diffs diffs) {
    int shard = shardOf(p.topic(), p.key());
    String id = entryId(p.key(), p.ref());
    if (own.get(shard).remove(id) == null) return;
    List<Presence> ofRef = ownByRef.get(p.ref());
    if (ofRef != null) {
      ofRef.removeIf(q -> q.sameEntry(p.topic(), p.key(), p.ref()));
      if (ofRef.isEmpty()) {
        ownByRef.remove(p.ref());
        unwatchIfUnused(p.ref());
      }
    }
    index.remove(p);
    enqueue(shard, new Remove(id));
    diffs.leave(p);
  }

  private Behavior<Command> onUpdateMeta(UpdateMeta m) {
    m.reply().complete(updateOwnMeta(m.topic(), m.key(), m.patch()));
    return Behaviors.same();
  }

  private Behavior<Command> onRemoteUpdateMeta(RemoteUpdateMeta m) {
    int updated = m.targetUid() == self.uid() ? updateOwnMeta(m.topic(), m.key(), m.patch()) : 0;
    m.replyTo().tell(new Count(updated));
    return Behaviors.same();
  }

  /** Merges {@code patch} into this node's oldest entry under the key; a null value removes that field. */
  private int updateOwnMeta(String topic, TrackerKey key, Map<String, Object> patch) {
    List<Presence> mine = ownUnder(topic, key);
    if (mine.isEmpty()) return 0;
    Presence old = mine.get(0);
    Map<String, Object> merged = new LinkedHashMap<>(old.meta());
    patch.forEach((k, v) -> {
      if (v == null) merged.remove(k);
      else merged.put(k, v);
    });
    Presence next = new Presence(topic, key, old.ref(), self, Collections.unmodifiableMap(merged), old.trackedAt());
    int shard = shardOf(topic, key);
    String id = entryId(key, old.ref());
    own.get(shard).put(id, next);
    List<Presence> ofRef = ownByRef.get(old.ref());
    ofRef.replaceAll(q -> q.sameEntry(topic, key, old.ref()) ? next : q);
    index.replace(old, next);
    enqueue(shard, new Put(id, next));
    Diffs diffs = new Diffs();
    diffs.leave(old);
    diffs.join(next);
    diffs.publish();
    return 1;
  }

  private Behavior<Command> onTerminated(Terminated t) {
    ActorRef<?> ref = t.getRef();
    if (ownByRef.containsKey(ref)) untrackOwn(Selection.BY_REF, null, null, ref);
    Set<TrackerKey.InFlight> held = claimsByHolder.remove(ref);
    if (held != null) for (TrackerKey.InFlight c : held) claims.remove(c);
    for (Set<ActorRef<TrackerDiff>> subs : subscribers.values()) subs.remove(ref);
    return Behaviors.same();
  }

  private void unwatchIfUnused(ActorRef<?> ref) {
    if (ownByRef.containsKey(ref) || claimsByHolder.containsKey(ref)) return;
    for (Set<ActorRef<TrackerDiff>> subs : subscribers.values()) if (subs.contains(ref)) return;
    ctx.unwatch(ref);
  }

  // ---------------------------------------------------------------- claims

  private Behavior<Command> onClaim(Claim m) {
    m.reply().complete(claim(m.claim(), m.holder()));
    return Behaviors.same();
  }

  private Behavior<Command> onRemoteClaim(RemoteClaim m) {
    ClaimResult result = m.targetUid() == self.uid() ? claim(m.claim(), m.holder()) : ClaimResult.NO_SESSION;
    m.replyTo().tell(new ClaimAnswer(result));
    return Behaviors.same();
  }

  /** Decided by this one actor for the sessions homed here, so exactly one caller gets CLAIMED. */
  private ClaimResult claim(TrackerKey.InFlight claim, ActorRef<?> holder) {
    if (ownUnder(Tracker.SESSIONS_TOPIC, TrackerKey.id(claim.sessionId())).isEmpty()) {
      return ClaimResult.NO_SESSION;
    }
    ActorRef<?> current = claims.get(claim);
    if (current != null) return current.equals(holder) ? ClaimResult.CLAIMED : ClaimResult.DUPLICATE;
    claims.put(claim, holder);
    claimsByHolder.computeIfAbsent(holder, h -> new HashSet<>()).add(claim);
    ctx.watch(holder);
    return ClaimResult.CLAIMED;
  }

  private Behavior<Command> onRelease(TrackerKey.InFlight claim, ActorRef<?> holder) {
    if (holder.equals(claims.get(claim))) {
      claims.remove(claim);
      Set<TrackerKey.InFlight> held = claimsByHolder.get(holder);
      if (held != null) {
        held.remove(claim);
        if (held.isEmpty()) {
          claimsByHolder.remove(holder);
          unwatchIfUnused(holder);
        }
      }
    }
    return Behaviors.same();
  }

  // ---------------------------------------------------------------- diffs

  private Behavior<Command> onSubscribe(Subscribe m) {
    subscribers.computeIfAbsent(m.topic(), t -> new HashSet<>()).add(m.listener());
    ctx.watch(m.listener());
    return Behaviors.same();
  }

  private Behavior<Command> onUnsubscribe(Unsubscribe m) {
    Set<ActorRef<TrackerDiff>> subs = subscribers.get(m.topic());
    if (subs != null && subs.remove(m.listener())) unwatchIfUnused(m.listener());
    return Behaviors.same();
  }

  /** Joins and leaves gathered while handling one message, published once at its end. */
  private final class Diffs {
    private final Map<String, List<Presence>> joins = new HashMap<>();
    private final Map<String, List<Presence>> leaves = new HashMap<>();

    void join(Presence p) {
      if (subscribers.containsKey(p.topic())) joins.computeIfAbsent(p.topic(), t -> new ArrayList<>()).add(p);
    }

    void leave(Presence p) {
      if (subscribers.containsKey(p.topic())) leaves.computeIfAbsent(p.topic(), t -> new ArrayList<>()).add(p);
    }

    void publish() {
      for (String topic : TOPICS) {
        List<Presence> j = joins.getOrDefault(topic, List.of());
        List<Presence> l = leaves.getOrDefault(topic, List.of());
        if (j.isEmpty() && l.isEmpty()) continue;
        TrackerDiff diff = new TrackerDiff(topic, List.copyOf(j), List.copyOf(l));
        for (ActorRef<TrackerDiff> s : subscribers.getOrDefault(topic, Set.of())) s.tell(diff);
      }
    }
  }

  // ---------------------------------------------------------------- fan-out

  private Behavior<Command> onNotify(Notify m) {
    if (!clustered) {
      m.reply().complete(fanoutLocally(m.kind()));
      return Behaviors.same();
    }
    List<ActorRef<Command>> replicas = new ArrayList<>();
    replicas.add(ctx.getSelf());
    for (NodeId node : index.visibleOwners()) {
      if (!node.equals(self)) replicas.add(at(ctx.getSystem(), node));
    }
    ctx.spawnAnonymous(FanoutAggregator.create(replicas, m.kind(), settings.notifyTimeout(), m.reply()));
    return Behaviors.same();
  }

  private Behavior<Command> onFanout(Fanout m) {
    m.replyTo().tell(new Count(fanoutLocally(m.kind())));
    return Behaviors.same();
  }

  /** Tells each session homed on this node once, through its oldest local entry. */
  private int fanoutLocally(NotifyKind kind) {
    int reached = 0;
    for (Map.Entry<TrackerKey, Presence[]> e : index.rawTopic(Tracker.SESSIONS_TOPIC).entrySet()) {
      if (!(e.getKey() instanceof TrackerKey.Id id)) continue;
      Presence target = null;
      for (Presence p : e.getValue()) {
        if (p.owner().equals(self)) {
          target = p;
          break;
        }
      }
      if (target == null) continue;
      if (!index.homeOf(id.value()).map(self::equals).orElse(false)) continue;
      target.ref().unsafeUpcast().tell(kind.message);
      reached++;
    }
    return reached;
  }

  // ---------------------------------------------------------------- replication

  private void enqueue(int shard, Op op) {
    if (!clustered) return;
    pending.get(shard).add(op);
    schedule(shard);
  }

  /**
   * Queued ops reach the replicator at the next update tick, one update per shard key: every local
   * update merges the whole key (Distributed Data's {@code ORMap.merge}), so one update per write made
   * session creation cost O(entries in the key) each (40 % of its CPU at 100,000 sessions). Reads
   * here see our writes at once anyway, and peers get them only at the replicator's next delta tick.
   * A leaving node hands its removals over at once.
   */
  private void schedule(int shard) {
    if (pending.get(shard).isEmpty()) return;
    if (leaving != null) flush(shard);
    else scheduled.add(shard);
  }

  private Behavior<Command> onUpdateTick() {
    budget = settings.maxUpdatesPerTick();
    List<Integer> due = List.copyOf(scheduled);
    scheduled.clear();
    for (int shard : due) flush(shard);
    return Behaviors.same();
  }

  /**
   * At most one update per shard key in flight (its completion schedules what was queued meanwhile).
   * The replicator sends each peer one DeltaPropagation per tick with the deltas of every key,
   * uncompressed and unsplit, so the ops handed over per tick are capped ({@code
   * max-updates-per-tick}) to keep that message under the Artery frame; a burst is spread over the
   * next ticks (local reads see it at once).
   */
  private void flush(int shard) {
    List<Op> queued = pending.get(shard);
    if (updateInFlight[shard] || queued.isEmpty()) return;
    // Alone there is no peer to send deltas to (a node joining later gets compressed full state).
    boolean alone = index.visibleNodeCount() <= 1 || leaving != null;
    if (budget <= 0 && !alone) {
      scheduled.add(shard);
      return;
    }
    int take = alone ? queued.size() : Math.min(budget, queued.size());
    List<Op> ops = List.copyOf(queued.subList(0, take));
    queued.subList(0, take).clear();
    budget -= take;
    updateInFlight[shard] = true;
    SelfUniqueAddress node = selfUnique;
    List<ElementOp> elementOps = toElementOps(shard, ops);
    boolean othersRemoved = elementOps.stream().anyMatch(op -> !op.add() && !op.element().owner().equals(self));
    Key<ORSet<Presence>> key = keys.get(shard);
    // A leaving node has its removals acknowledged by a majority before it goes on leaving (a delta
    // sent later could be cut off by the node's exit). Not WriteAll: measured, it timed out on every
    // leave here (the survivors saw the removals only after the full write timeout).
    Replicator.WriteConsistency consistency = leaving != null
        ? new Replicator.WriteMajority(settings.remoteCallTimeout()) : Replicator.writeLocal();
    // ctx.ask (not the adapter's askUpdate, which throws on an ask timeout): a lost answer must still
    // clear the in-flight flag, or this key would never replicate again.
    ctx.ask(Replicator.UpdateResponse.class, replicatorRef,
        Duration.ofSeconds(10),
        (ActorRef<Replicator.UpdateResponse> replyTo) -> new Replicator.Update<>(key, ORSet.create(), consistency,
            replyTo.unsafeUpcast(), set -> apply(set, elementOps, node)),
        (rsp, failure) -> new ShardUpdated(shard, rsp instanceof Replicator.UpdateSuccess,
            failure != null ? failure.toString() : String.valueOf(rsp), othersRemoved));
  }

  @SuppressWarnings("unchecked")
  private static ORSet<Presence> castSet(Object value) {
    return (ORSet<Presence>) value;
  }

  /** Adds or removes one element of a shard key's set. */
  private record ElementOp(boolean add, Presence element) {}

  /**
   * The element operations for a batch of entry operations: a put replaces the element the replicator
   * holds for the id (if another), a remove removes it. Ours are known from what was handed over;
   * another owner's (the leader deleting a departed node's entries) from the last replicated value.
   */
  private List<ElementOp> toElementOps(int shard, List<Op> ops) {
    Map<String, Presence> ours = handedOver.get(shard);
    Map<String, Presence> seen = replicated.get(shard);
    List<ElementOp> out = new ArrayList<>(ops.size() + 1);
    for (Op op : ops) {
      String id = op instanceof Put put ? put.entryId() : ((Remove) op).entryId();
      Presence held = ours.get(id);
      Presence shown = seen.get(id);
      Presence next = op instanceof Put put ? put.presence() : null;
      if (held != null && !held.equals(next)) out.add(new ElementOp(false, held));
      if (shown != null && shown != held && !shown.equals(next)) out.add(new ElementOp(false, shown));
      if (next != null) {
        out.add(new ElementOp(true, next));
        if (next.owner().equals(self)) ours.put(id, next);
      } else {
        ours.remove(id);
      }
    }
    // Every update must advance this node's version in the key, so that peers notice it (see
    // onShardPolled): an add does; a batch of removals only gets one (an element added and removed again).
    if (!out.isEmpty() && out.stream().noneMatch(ElementOp::add)) {
      Presence any = out.get(out.size() - 1).element();
      out.add(new ElementOp(true, any));
      out.add(new ElementOp(false, any));
    }
    return out;
  }

  /**
   * Runs inside the replicator. An {@link ORSet} changed by add/remove merges back into the value it
   * came from in constant time (Akka's {@code FastMerge}); a map CRDT merges every entry of the key on
   * every update, which was most of a node's CPU when sessions were created at 180,000 sessions.
   */
  private static ORSet<Presence> apply(ORSet<Presence> set, List<ElementOp> ops, SelfUniqueAddress node) {
    ORSet<Presence> out = set;
    for (ElementOp op : ops) out = op.add() ? out.add(node, op.element()) : out.remove(node, op.element());
    return out;
  }

  private Behavior<Command> onShardUpdated(ShardUpdated m) {
    updateInFlight[m.shard()] = false;
    if (m.othersRemoved()) diffNext[m.shard()] = true;
    if (!m.ok() && leaving == null) ctx.getLog().warn("tracker update of {} failed: {}", keys.get(m.shard()).id(), m.failure());
    schedule(m.shard());
    if (needsReconcile[m.shard()]) reconcileOwn(m.shard());
    completeLeaveIfDone();
    return Behaviors.same();
  }

  private Behavior<Command> onLeave(Leave m) {
    leaving = m.done();
    if (!clustered) {
      m.done().complete(null);
      return Behaviors.same();
    }
    Diffs diffs = new Diffs();
    for (ActorRef<?> ref : List.copyOf(ownByRef.keySet())) {
      for (Presence p : List.copyOf(ownByRef.getOrDefault(ref, List.of()))) removeOwn(p, diffs);
    }
    diffs.publish();
    for (int shard = 0; shard < pending.size(); shard++) flush(shard);
    completeLeaveIfDone();
    return Behaviors.same();
  }

  private void completeLeaveIfDone() {
    if (leaving == null || leaving.isDone()) return;
    for (int shard = 0; shard < pending.size(); shard++) {
      if (updateInFlight[shard] || !pending.get(shard).isEmpty()) return;
    }
    // The removals are in the local replicator; its next delta tick (while the node leaves, which takes
    // seconds) carries them to the other nodes.
    leaving.complete(null);
  }

  // ---------------------------------------------------------------- sync (readiness)

  /**
   * After this node is Up, reads every key from a majority of the nodes, so reads here reflect the
   * cluster's presence state before the node reports ready.
   */
  private void startSync() {
    syncStarted = true;
    // The replicator learns of the members from its own subscription, possibly after this actor did: a
    // majority read while it knows only this node reads only this node, and "synced" would be hollow
    // (a node joining a running cluster then reported ready without the cluster's entries).
    ctx.ask(Replicator.ReplicaCount.class, replicatorRef, settings.remoteCallTimeout(), Replicator.GetReplicaCount::new,
        (rsp, failure) -> new ReplicaCountKnown(rsp == null ? 0 : rsp.n()));
  }

  private Behavior<Command> onReplicaCountKnown(ReplicaCountKnown m) {
    long up = members.values().stream().filter(MemberStatus.up()::equals).count();
    if (m.replicas() < up) {
      timers.startSingleTimer(SyncRetry.INSTANCE, Duration.ofMillis(100));
      return Behaviors.same();
    }
    readEveryKey();
    return Behaviors.same();
  }

  private void readEveryKey() {
    syncFailed = false;
    syncOutstanding = keys.size();
    Duration timeout = settings.remoteCallTimeout();
    for (Key<ORSet<Presence>> key : keys) {
      int shard = shardByKeyId.get(key.id());
      ctx.ask(Replicator.GetResponse.class, replicatorRef, timeout.plusSeconds(2),
          (ActorRef<Replicator.GetResponse> r) -> new Replicator.Get<>(key, new Replicator.ReadMajority(timeout), r.unsafeUpcast()),
          (rsp, failure) -> rsp instanceof Replicator.GetSuccess<?> ok
              ? new SyncAnswer(shard, castSet(ok.dataValue()), true)
              : new SyncAnswer(shard, null, rsp instanceof Replicator.NotFound));
    }
  }

  private Behavior<Command> onSyncAnswer(SyncAnswer m) {
    if (!m.ok()) syncFailed = true;
    // Apply what was read at once: the next poll sees it only one notify interval later, and "synced"
    // must mean that reads here show it. Merge, never replace: a newer value may have
    // been applied while the read was under way, and an older value would drop entries from the index.
    if (m.value() != null) {
      applyShardValue(m.shard(), lastSeen.get(m.shard()).merge(m.value()));
      lastPolled.set(m.shard(), lastSeen.get(m.shard()));
    }
    if (--syncOutstanding > 0) return Behaviors.same();
    if (syncFailed) timers.startSingleTimer(SyncRetry.INSTANCE, Duration.ofSeconds(1));
    else index.setSynced(true);
    return Behaviors.same();
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private Behavior<Command> onPollTick() {
    long now = System.nanoTime();
    if (now - lastFullDiff >= settings.fullDiffInterval().toNanos()) {
      lastFullDiff = now;
      java.util.Arrays.fill(diffNext, true);
    }
    for (Key<ORSet<Presence>> key : keys) {
      replicatorRef.tell(new Replicator.Get<>(key, Replicator.readLocal(), (ActorRef) pollAnswers));
    }
    return Behaviors.same();
  }

  private Behavior<Command> onShardPolled(ShardPolled m) {
    if (m.response() instanceof Replicator.GetSuccess<?> ok) {
      int shard = shardByKeyId.get(ok.key().id());
      ORSet<Presence> value = castSet(ok.dataValue());
      // the replicator replaces the value object on every change: the same object means no change
      boolean othersChanged = value != lastPolled.get(shard) && othersChanged(lastPolled.get(shard).vvector(), value.vvector());
      lastPolled.set(shard, value);
      // Only this node wrote since the last diff: the index has those writes already. Diffing the key
      // anyway (a lookup per entry) took 70 % of a node's CPU at 180,000 sessions created in a burst.
      if (value != lastSeen.get(shard) && (othersChanged || diffNext[shard])) {
        // A periodic full comparison also checks our own entries against the live table: the diff
        // against a value this node skipped may not show them (one removed and put back in between).
        if (diffNext[shard]) needsReconcile[shard] = true;
        diffNext[shard] = false;
        applyShardValue(shard, value);
      }
    }
    return Behaviors.same();
  }

  /**
   * Applies a key's new value. Elements are compared by hash lookup, which for the elements both values
   * share is an identity check (merges keep unchanged elements), so the work is a lookup per element and
   * allocation only for the changes.
   */
  private void applyShardValue(int shard, ORSet<Presence> value) {
    Set<Presence> before = elements(lastSeen.get(shard));
    Set<Presence> after = elements(value);
    lastSeen.set(shard, value);
    List<Presence> added = new ArrayList<>();
    for (Presence p : after) if (!before.contains(p)) added.add(p);
    List<Presence> removed = new ArrayList<>();
    if (before.size() + added.size() > after.size()) {
      for (Presence p : before) if (!after.contains(p)) removed.add(p);
    }
    if (added.isEmpty() && removed.isEmpty()) {
      if (needsReconcile[shard]) reconcileOwn(shard);
      return;
    }
    Map<String, Presence> byId = replicated.get(shard);
    Map<String, Presence> wasById = new HashMap<>();
    for (Presence p : removed) {
      String id = entryId(p);
      byId.remove(id, p);
      wasById.put(id, p);
    }
    Map<String, Presence> nowById = new HashMap<>();
    for (Presence p : added) {
      String id = entryId(p);
      byId.put(id, p);
      nowById.put(id, p);
    }
    Map<String, Presence> mine = own.get(shard);
    Diffs diffs = new Diffs();
    boolean deletesLateArrivals = isLeader() && !removedOwners.isEmpty();
    for (Map.Entry<String, Presence> e : nowById.entrySet()) {
      Presence now = e.getValue();
      Presence was = wasById.remove(e.getKey());
      if (now.owner().equals(self)) {
        Presence live = mine.get(e.getKey());
        if (live != now && !now.equals(live)) needsReconcile[shard] = true;
        continue;
      }
      // An entry of a removed node arriving after its removal (a late delta or gossip) is deleted too.
      if (deletesLateArrivals && removedOwners.contains(now.owner())) pending.get(shard).add(new Remove(e.getKey()));
      if (was == null) {
        index.add(now);
        if (index.isVisible(now.owner())) diffs.join(now);
      } else {
        index.replace(was, now);
        if (index.isVisible(now.owner())) {
          diffs.leave(was);
          diffs.join(now);
        }
      }
    }
    // Entries that left (not replaced by a new element under the same id).
    for (Map.Entry<String, Presence> e : wasById.entrySet()) {
      Presence was = e.getValue();
      if (byId.containsKey(e.getKey())) continue;
      if (was.owner().equals(self)) {
        if (mine.containsKey(e.getKey())) needsReconcile[shard] = true;
        continue;
      }
      index.remove(was);
      if (index.isVisible(was.owner())) diffs.leave(was);
    }
    if (needsReconcile[shard]) reconcileOwn(shard);
    schedule(shard);
    diffs.publish();
  }

  /**
   * Whether another node has written the key between two of its values. Every update advances its
   * writer's version (toElementOps sees to it for removals), so the version vectors tell.
   */
  private boolean othersChanged(akka.cluster.ddata.VersionVector before, akka.cluster.ddata.VersionVector after) {
    if (before.size() != after.size()) return true;
    scala.collection.Iterator<scala.Tuple2<akka.cluster.UniqueAddress, Object>> versions = after.versionsIterator();
    while (versions.hasNext()) {
      scala.Tuple2<akka.cluster.UniqueAddress, Object> v = versions.next();
      if (v._1().equals(selfUnique.uniqueAddress())) continue;
      if (before.versionAt(v._1()) != (Long) v._2()) return true;
    }
    return false;
  }

  /** A key's elements: a view over the CRDT's own map, nothing copied. */
  private static Set<Presence> elements(ORSet<Presence> set) {
    return scala.jdk.javaapi.CollectionConverters.asJava(set.elements());
  }

  /**
   * Makes the replicated copy of this node's entries match its live table. Only when nothing of ours
   * is queued or in flight for the key, so the value seen already includes all our earlier writes;
   * otherwise the shard stays marked and is reconciled when its update completes.
   */
  private void reconcileOwn(int shard) {
    if (updateInFlight[shard] || !pending.get(shard).isEmpty()) return;
    needsReconcile[shard] = false;
    Map<String, Presence> shown = replicated.get(shard);
    Map<String, Presence> mine = own.get(shard);
    for (Map.Entry<String, Presence> e : shown.entrySet()) {
      if (e.getValue().owner().equals(self) && !mine.containsKey(e.getKey())) {
        pending.get(shard).add(new Remove(e.getKey()));
      }
    }
    for (Map.Entry<String, Presence> e : mine.entrySet()) {
      if (!e.getValue().equals(shown.get(e.getKey()))) pending.get(shard).add(new Put(e.getKey(), e.getValue()));
    }
    schedule(shard);
  }

  // ---------------------------------------------------------------- membership

  private Behavior<Command> onClusterChanged(ClusterChanged m) {
    ClusterEvent.ClusterDomainEvent event = m.event();
    // Typed cluster subscriptions deliver the initial state as events, so this sees every member.
    if (event instanceof ClusterEvent.MemberRemoved removed) {
      NodeId gone = NodeId.of(removed.member().uniqueAddress());
      members.remove(gone);
      unreachable.remove(gone);
      removedOwners.add(gone);
      if (isLeader()) deleteEntriesOf(Set.of(gone));
    } else if (event instanceof ClusterEvent.MemberEvent e) {
      members.put(NodeId.of(e.member().uniqueAddress()), e.member().status());
      if (!syncStarted && e.member().status() == MemberStatus.up() && NodeId.of(e.member().uniqueAddress()).equals(self)) {
        startSync();
      }
    } else if (event instanceof ClusterEvent.UnreachableMember u) {
      unreachable.add(NodeId.of(u.member().uniqueAddress()));
    } else if (event instanceof ClusterEvent.ReachableMember r) {
      unreachable.remove(NodeId.of(r.member().uniqueAddress()));
    } else if (event instanceof ClusterEvent.LeaderChanged l) {
      leader = l.getLeader();
      // The new leader may have seen MemberRemoved before it became leader (the old leader being the
      // node that left): nobody else deletes those entries.
      if (isLeader() && !removedOwners.isEmpty()) deleteEntriesOf(removedOwners);
    } else {
      return Behaviors.same();
    }
    updateVisibility();
    return Behaviors.same();
  }

  private boolean isLeader() {
    return selfAddress.equals(leader);
  }

  private void updateVisibility() {
    Set<NodeId> visible = new HashSet<>();
    Map<Long, NodeId> byUid = new HashMap<>();
    visible.add(self);
    byUid.put(self.uid(), self);
    members.forEach((node, status) -> {
      byUid.put(node.uid(), node);
      if (VISIBLE_STATUSES.contains(status) && !unreachable.contains(node)) visible.add(node);
    });
    Set<NodeId> before = index.visibleOwners();
    if (before.equals(visible)) {
      index.setMembership(new PresenceIndex.Membership(Set.copyOf(visible), Map.copyOf(byUid)));
      return;
    }
    Diffs diffs = new Diffs();
    index.forEachEntry(p -> {
      boolean was = before.contains(p.owner()) || p.owner().equals(self);
      boolean now = visible.contains(p.owner());
      if (was && !now) diffs.leave(p);
      else if (!was && now) diffs.join(p);
    });
    index.setMembership(new PresenceIndex.Membership(Set.copyOf(visible), Map.copyOf(byUid)));
    diffs.publish();
  }

  /** The leader's part: delete every entry whose owner is in {@code gone} (never our own). */
  private void deleteEntriesOf(Set<NodeId> gone) {
    for (int shard = 0; shard < lastSeen.size(); shard++) {
      for (Map.Entry<String, Presence> e : replicated.get(shard).entrySet()) {
        NodeId owner = e.getValue().owner();
        if (!owner.equals(self) && gone.contains(owner)) pending.get(shard).add(new Remove(e.getKey()));
      }
      schedule(shard);
    }
  }

  private Behavior<Command> onSweep() {
    if (!isLeader()) {
      absentSince.clear();
      return Behaviors.same();
    }
    long now = System.nanoTime();
    Set<NodeId> owners = new HashSet<>();
    for (Map<String, Presence> byId : replicated) {
      for (Presence p : byId.values()) owners.add(p.owner());
    }
    owners.remove(self);
    owners.removeIf(members::containsKey);
    removedOwners.retainAll(owners);
    absentSince.keySet().retainAll(owners);
    Set<NodeId> expired = new HashSet<>();
    for (NodeId owner : owners) {
      long since = absentSince.computeIfAbsent(owner, o -> now);
      if (now - since >= settings.sweepGrace().toNanos()) expired.add(owner);
    }
    if (!expired.isEmpty()) {
      ctx.getLog().info("tracker sweep deletes entries of departed nodes {}", expired);
      deleteEntriesOf(expired);
    }
    return Behaviors.same();
  }

  // ---------------------------------------------------------------- statistics

  private Behavior<Command> onGetStats(GetStats m) {
    Map<String, Integer> byTopic = new java.util.TreeMap<>();
    Map<String, Integer> byOwner = new java.util.TreeMap<>();
    int[] hidden = {0};
    for (String topic : TOPICS) byTopic.put(topic, index.list(topic).size());
    index.forEachEntry(p -> {
      byOwner.merge(p.owner().toString(), 1, Integer::sum);
      if (!index.isVisible(p.owner())) hidden[0]++;
    });
    long largestBytes = -1;
    int largestEntries = 0;
    if (clustered && m.measureKeys()) {
      akka.serialization.Serialization serialization =
          akka.serialization.SerializationExtension.get(Adapter.toClassic(ctx.getSystem()));
      for (ORSet<Presence> set : lastSeen) {
        if (set.isEmpty()) continue;
        long bytes = serialization.serialize(set).get().length;
        if (bytes > largestBytes) {
          largestBytes = bytes;
          largestEntries = set.size();
        }
      }
    }
    m.reply().complete(new TrackerStats(
        clustered ? Tracker.Mode.CLUSTER : Tracker.Mode.LOCAL, self, byTopic, byOwner, hidden[0],
        index.visibleOwners(), largestBytes, largestEntries));
    return Behaviors.same();
  }

  // ---------------------------------------------------------------- helpers

  private boolean isLocal(ActorRef<?> ref) {
    return isLocal(ref, provider);
  }

  /** Whether the actor lives in this ActorSystem (not merely in this JVM, where tests run several). */
  static boolean isLocal(ActorRef<?> ref, akka.actor.ActorRefProvider provider) {
    return Adapter.toClassic(ref) instanceof akka.actor.InternalActorRef internal
        && internal.isLocal()
        && internal.provider() == provider;
  }

  /** The tracker replica of the member {@code node}, as seen from {@code system}. */
  static ActorRef<Command> at(akka.actor.typed.ActorSystem<?> system, NodeId node) {
    return dev.phantom.util.SystemActors.on(system, node.address(), NAME);
  }

  private int shardOf(String topic, TrackerKey key) {
    return TOPICS.indexOf(topic) * shardsPerTopic + shardWithinTopic(key, shardsPerTopic);
  }

  /** A stable hash (String.hashCode is fixed by the JLS): it must give the same shard on every node. */
  static int shardWithinTopic(TrackerKey key, int shardsPerTopic) {
    String basis = key instanceof TrackerKey.InFlight f ? f.sessionId() : ((TrackerKey.Id) key).value();
    return Math.floorMod(basis.hashCode(), shardsPerTopic);
  }

  private String entryId(TrackerKey key, ActorRef<?> ref) {
    return entryId(key, ref, self);
  }

  private static String entryId(Presence p) {
    return entryId(p.key(), p.ref(), p.owner());
  }

  /** Names one entry (topic aside: each topic has its own keys): its key, its actor and the owner's incarnation. */
  private static String entryId(TrackerKey key, ActorRef<?> ref, NodeId owner) {
    String keyCode = key instanceof TrackerKey.InFlight f
        ? "f" + f.sessionId() + '\u0000' + f.requestId()
        : "i" + ((TrackerKey.Id) key).value();
    return keyCode + '\u0000' + ref.path().toStringWithoutAddress() + '#' + ref.path().uid() + '@'
        + Long.toHexString(owner.uid());
  }
}
