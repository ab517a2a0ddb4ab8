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
import dev.phantom.tracker.TrackerProtocol.RemoteClaim;
import dev.phantom.tracker.TrackerProtocol.RemoteRelease;
import dev.phantom.tracker.TrackerProtocol.RemoteUntrack;
import dev.phantom.tracker.TrackerProtocol.RemoteUpdateMeta;
import dev.phantom.tracker.TrackerProtocol.Selection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * The tracker's replica on one node: the only writer of this node's entries and of its {@link
 * PresenceIndex}. This class is the wiring: it receives the messages, runs the timers, talks to the
 * tracker's own Distributed Data replicator and to the cluster, watches actors, and leaves the decisions
 * to the role classes it owns. They are called from this actor's thread only and share no state with
 * anything else, so none of them needs a lock:
 *
 * <ul>
 *   <li>{@link OwnEntries}: this node's entries (owner-only writes), authoritative for them;
 *   <li>{@link ShardWriter}: their changes handed to the replicator, batched per shard key and tick
 *       within a frame budget;
 *   <li>{@link ShardReader}: each key polled from the local replicator, diffed into the index when
 *       another node wrote it, and this node's entries in it reconciled with the live table;
 *   <li>{@link MembershipView}: which owners reads show, and which owners' entries the leader deletes;
 *   <li>{@link Claims}: claims within the scopes homed on this node (linearizable: one actor decides);
 *   <li>{@link DiffSubscribers}: joins and leaves for the diff listeners.
 * </ul>
 *
 * In local mode (no cluster) it is the same actor without replicator or membership.
 */
final class TrackerReplica {

  static final String NAME = "phantom-tracker";

  interface Command {}

  record Track(String topic, TrackerKey key, ActorRef<?> ref, Map<String, Object> meta, CompletableFuture<TrackResult> reply)
      implements Command {}

  record Untrack(Selection selection, String topic, TrackerKey key, ActorRef<?> ref, CompletableFuture<Integer> reply)
      implements Command {}

  record UpdateMeta(String topic, TrackerKey key, Map<String, Object> patch, CompletableFuture<Integer> reply)
      implements Command {}

  record Claim(TrackerKey.Claim claim, ActorRef<?> holder, CompletableFuture<ClaimResult> reply) implements Command {}

  record Release(TrackerKey.Claim claim, ActorRef<?> holder) implements Command {}

  record Subscribe(String topic, ActorRef<TrackerDiff> listener) implements Command {}

  record Unsubscribe(String topic, ActorRef<TrackerDiff> listener) implements Command {}

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

  static Behavior<Command> create(TrackerSettings settings, PresenceIndex index, boolean clustered) {
    Behavior<Command> replica = Behaviors.setup(
        ctx -> Behaviors.withTimers(timers -> new TrackerReplica(ctx, timers, settings, index, clustered).behavior()));
    // Resume, never restart: a restart would forget this node's live entries and claims.
    return Behaviors.supervise(replica).onFailure(RuntimeException.class, SupervisorStrategy.resume());
  }

  private final ActorContext<Command> ctx;
  private final TimerScheduler<Command> timers;
  private final TrackerSettings settings;
  private final PresenceIndex index;
  private final boolean clustered;
  private final NodeId self;
  private final akka.actor.ActorRefProvider provider;

  private final OwnEntries own;
  private final Claims<ActorRef<?>> claims = new Claims<>();
  private final DiffSubscribers subscribers = new DiffSubscribers();
  private final MembershipView view;
  private final ShardReader reader;
  private final ShardWriter writer;

  // cluster mode only
  private final ActorRef<Replicator.GetResponse> pollAnswers;
  private final ActorRef<Replicator.Command> replicatorRef;
  private final SelfUniqueAddress selfUnique;
  private final List<Key<ORSet<Presence>>> keys = new ArrayList<>();
  private final Map<String, Integer> shardByKeyId = new HashMap<>();
  private boolean syncStarted;
  private int syncOutstanding;
  private boolean syncFailed;
  /** Set by a graceful leave; completed when every update is done. */
  private CompletableFuture<Void> leaving;

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
    this.provider = ((akka.actor.ExtendedActorSystem) Adapter.toClassic(ctx.getSystem())).provider();
    ShardLayout layout = new ShardLayout(settings.topics(), settings.shardsPerTopic());
    Cluster cluster = clustered ? Cluster.get(ctx.getSystem()) : null;
    Address selfAddress = clustered ? cluster.selfMember().address() : ctx.getSystem().address();
    this.selfUnique = clustered ? new SelfUniqueAddress(cluster.selfMember().uniqueAddress()) : null;
    this.own = new OwnEntries(self, index, layout);
    this.view = new MembershipView(self, selfAddress, settings.sweepGrace());
    this.reader = new ShardReader(self, clustered ? selfUnique.uniqueAddress() : null, index, own, view, subscribers,
        layout.count(), settings.fullDiffInterval());
    this.writer = new ShardWriter(self, layout.count(), settings.maxUpdatesPerTick(), index::visibleNodeCount,
        reader::shown, this::handOver);
    if (!clustered) {
      this.pollAnswers = null;
      this.replicatorRef = null;
      index.setSynced(true);
      return;
    }
    this.replicatorRef =
        ctx.spawn(Replicator.behavior(ReplicatorSettings.create(settings.replicatorConfig())), "replicator");
    for (int shard = 0; shard < layout.count(); shard++) {
      keys.add(ORSetKey.create(layout.keyId(shard)));
      shardByKeyId.put(layout.keyId(shard), shard);
    }
    // Polled, not subscribed: the replicator digests (fully serializes and hashes) a subscribed key on
    // its first change in every notify interval, which measured 37 % of the CPU of tracking at
    // 20,000 entries and grows with the entries. A local Get returns the value object itself, so an
    // unchanged key costs one reference comparison.
    this.pollAnswers = ctx.messageAdapter(Replicator.GetResponse.class, ShardPolled::new);
    timers.startTimerWithFixedDelay(PollTick.INSTANCE,
        settings.replicatorConfig().getDuration("notify-subscribers-interval"));
    ActorRef<ClusterEvent.ClusterDomainEvent> events =
        ctx.messageAdapter(ClusterEvent.ClusterDomainEvent.class, ClusterChanged::new);
    cluster.subscriptions().tell(akka.cluster.typed.Subscribe.create(events, ClusterEvent.ClusterDomainEvent.class));
    timers.startTimerWithFixedDelay(SweepTick.INSTANCE, settings.sweepInterval());
    timers.startTimerWithFixedDelay(UpdateTick.INSTANCE, settings.updateTick());
  }

  private Behavior<Command> behavior() {
    return Behaviors.receive(Command.class)
        .onMessage(Track.class, same(this::onTrack))
        .onMessage(Untrack.class, same(m -> m.reply().complete(untrackOwn(m.selection(), m.topic(), m.key(), m.ref()))))
        .onMessage(RemoteUntrack.class, same(m -> m.replyTo().tell(new Count(
            m.targetUid() == self.uid() ? untrackOwn(m.selection(), m.topic(), m.key(), m.ref()) : 0))))
        .onMessage(UpdateMeta.class, same(m -> m.reply().complete(updateOwnMeta(m.topic(), m.key(), m.patch()))))
        .onMessage(RemoteUpdateMeta.class, same(m -> m.replyTo().tell(new Count(
            m.targetUid() == self.uid() ? updateOwnMeta(m.topic(), m.key(), m.patch()) : 0))))
        .onMessage(Claim.class, same(m -> m.reply().complete(claim(m.claim(), m.holder()))))
        .onMessage(RemoteClaim.class, same(m -> m.replyTo().tell(new ClaimAnswer(
            m.targetUid() == self.uid() ? claim(m.claim(), m.holder()) : ClaimResult.NO_SCOPE))))
        .onMessage(Release.class, same(m -> release(m.claim(), m.holder())))
        .onMessage(RemoteRelease.class, same(m -> {
          if (m.targetUid() == self.uid()) release(m.claim(), m.holder());
        }))
        .onMessage(Subscribe.class, same(this::onSubscribe))
        .onMessage(Unsubscribe.class, this::onUnsubscribe)
        .onMessage(PollTick.class, m -> onPollTick())
        .onMessage(ShardPolled.class, same(this::onShardPolled))
        .onMessage(ShardUpdated.class, same(this::onShardUpdated))
        .onMessage(UpdateTick.class, same(m -> writer.tick()))
        .onMessage(Leave.class, same(this::onLeave))
        .onMessage(ClusterChanged.class, same(this::onClusterChanged))
        .onMessage(SweepTick.class, same(m -> onSweep()))
        .onMessage(SyncAnswer.class, same(this::onSyncAnswer))
        .onMessage(ReplicaCountKnown.class, same(this::onReplicaCountKnown))
        .onMessage(SyncRetry.class, same(m -> startSync()))
        .onMessage(GetStats.class, same(this::onGetStats))
        .onSignal(Terminated.class, same(this::onTerminated))
        .build();
  }

  /** A handler that keeps the behaviour: the replica's state is in its fields and role classes. */
  private static <M> akka.japi.function.Function<M, Behavior<Command>> same(Consumer<M> handler) {
    return m -> {
      handler.accept(m);
      return Behaviors.same();
    };
  }

  // ---------------------------------------------------------------- own entries, watches

  private void onTrack(Track m) {
    if (!isLocal(m.ref(), provider)) {
      m.reply().complete(TrackResult.NOT_LOCAL);
      return;
    }
    OwnEntries.Change tracked = own.track(m.topic(), m.key(), m.ref(), m.meta());
    if (tracked == null) {
      m.reply().complete(TrackResult.ALREADY_TRACKED);
      return;
    }
    ctx.watch(m.ref());
    DiffSubscribers.Diffs diffs = subscribers.diffs();
    applyOwn(tracked, diffs);
    diffs.publish();
    m.reply().complete(TrackResult.TRACKED);
  }

  private int untrackOwn(Selection selection, String topic, TrackerKey key, ActorRef<?> ref) {
    List<Presence> victims = own.select(selection, topic, key, ref);
    DiffSubscribers.Diffs diffs = subscribers.diffs();
    for (Presence p : victims) removeOwn(p, diffs);
    diffs.publish();
    return victims.size();
  }

  private void removeOwn(Presence p, DiffSubscribers.Diffs diffs) {
    OwnEntries.Change removed = own.remove(p);
    if (removed == null) return;
    if (!own.hasEntriesOf(p.ref())) unwatchIfUnused(p.ref());
    applyOwn(removed, diffs);
  }

  private int updateOwnMeta(String topic, TrackerKey key, Map<String, Object> patch) {
    OwnEntries.Change updated = own.updateMeta(topic, key, patch);
    if (updated == null) return 0;
    DiffSubscribers.Diffs diffs = subscribers.diffs();
    applyOwn(updated, diffs);
    diffs.publish();
    return 1;
  }

  /** One change of an own entry reaches the index (read-your-writes), the replicator and the diffs. */
  private void applyOwn(OwnEntries.Change c, DiffSubscribers.Diffs diffs) {
    if (c.was() == null) index.add(c.now());
    else if (c.now() == null) index.remove(c.was());
    else index.replace(c.was(), c.now());
    if (clustered) {
      writer.enqueue(c.shard(),
          c.now() == null ? new ShardWriter.Remove(c.entryId()) : new ShardWriter.Put(c.entryId(), c.now()));
    }
    if (c.was() != null) diffs.leave(c.was());
    if (c.now() != null) diffs.join(c.now());
  }

  private void onTerminated(Terminated t) {
    ActorRef<?> ref = t.getRef();
    if (own.hasEntriesOf(ref)) untrackOwn(Selection.BY_REF, null, null, ref);
    claims.holderStopped(ref);
    subscribers.listenerStopped(ref);
  }

  /** One watch serves an actor's entries, claims and subscriptions: unwatched when it has none of them. */
  private void unwatchIfUnused(ActorRef<?> ref) {
    if (own.hasEntriesOf(ref) || claims.holdsAny(ref) || subscribers.isSubscribed(ref)) return;
    ctx.unwatch(ref);
  }

  // ---------------------------------------------------------------- diff subscriptions, claims

  private void onSubscribe(Subscribe m) {
    subscribers.subscribe(m.topic(), m.listener());
    ctx.watch(m.listener());
  }

  private Behavior<Command> onUnsubscribe(Unsubscribe m) {
    if (subscribers.unsubscribe(m.topic(), m.listener())) unwatchIfUnused(m.listener());
    return Behaviors.same();
  }

  private ClaimResult claim(TrackerKey.Claim claim, ActorRef<?> holder) {
    boolean scopeHere = !own.under(settings.scopeTopic(), TrackerKey.id(claim.scope())).isEmpty();
    ClaimResult result = claims.claim(claim, holder, scopeHere);
    // Watching a holder that is watched already (it claimed before) changes nothing.
    if (result == ClaimResult.CLAIMED) ctx.watch(holder);
    return result;
  }

  private void release(TrackerKey.Claim claim, ActorRef<?> holder) {
    if (claims.release(claim, holder)) {
      unwatchIfUnused(holder);
    }
  }

  // ---------------------------------------------------------------- replication

  /** Sends one batch to the replicator; its answer comes back as {@link ShardUpdated}. */
  private void handOver(ShardWriter.Batch batch) {
    // Captured by the update function, which runs on the replicator's thread: immutable values only.
    SelfUniqueAddress node = selfUnique;
    List<ShardWriter.ElementOp> ops = batch.ops();
    Key<ORSet<Presence>> key = keys.get(batch.shard());
    // A leaving node has its removals acknowledged by a majority before it goes on leaving (a delta
    // sent later could be cut off by the node's exit). Not WriteAll: measured, it timed out on every
    // leave here (the survivors saw the removals only after the full write timeout).
    Replicator.WriteConsistency consistency = batch.leaving()
        ? new Replicator.WriteMajority(settings.remoteCallTimeout()) : Replicator.writeLocal();
    // ctx.ask (not the adapter's askUpdate, which throws on an ask timeout): a lost answer must still
    // clear the in-flight flag, or this key would never replicate again.
    ctx.ask(Replicator.UpdateResponse.class, replicatorRef, Duration.ofSeconds(10),
        (ActorRef<Replicator.UpdateResponse> replyTo) -> new Replicator.Update<>(key, ORSet.create(), consistency,
            replyTo.unsafeUpcast(), set -> ShardWriter.apply(set, ops, node)),
        (rsp, failure) -> new ShardUpdated(batch.shard(), rsp instanceof Replicator.UpdateSuccess,
            failure != null ? failure.toString() : String.valueOf(rsp), batch.othersRemoved()));
  }

  private void onShardUpdated(ShardUpdated m) {
    if (m.othersRemoved()) reader.diffNextPoll(m.shard());
    if (!m.ok() && leaving == null) ctx.getLog().warn("tracker update of {} failed: {}", keys.get(m.shard()).id(), m.failure());
    writer.completed(m.shard());
    reader.reconcile(m.shard(), writer);
    completeLeaveIfDone();
  }

  private void onLeave(Leave m) {
    leaving = m.done();
    writer.startLeaving();
    if (!clustered) {
      m.done().complete(null);
      return;
    }
    DiffSubscribers.Diffs diffs = subscribers.diffs();
    for (Presence p : own.all()) removeOwn(p, diffs);
    diffs.publish();
    writer.flushAll();
    completeLeaveIfDone();
  }

  private void completeLeaveIfDone() {
    if (leaving == null || leaving.isDone() || !writer.idle()) return;
    // The removals are in the local replicator; its next delta tick (while the node leaves, which takes
    // seconds) carries them to the other nodes.
    leaving.complete(null);
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private Behavior<Command> onPollTick() {
    reader.pollStarted(System.nanoTime());
    for (Key<ORSet<Presence>> key : keys) {
      replicatorRef.tell(new Replicator.Get<>(key, Replicator.readLocal(), (ActorRef) pollAnswers));
    }
    return Behaviors.same();
  }

  private void onShardPolled(ShardPolled m) {
    if (m.response() instanceof Replicator.GetSuccess<?> ok) {
      reader.polled(shardByKeyId.get(ok.key().id()), castSet(ok.dataValue()), writer);
    }
  }

  @SuppressWarnings("unchecked")
  private static ORSet<Presence> castSet(Object value) {
    return (ORSet<Presence>) value;
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

  private void onReplicaCountKnown(ReplicaCountKnown m) {
    if (m.replicas() < view.upCount()) {
      timers.startSingleTimer(SyncRetry.INSTANCE, Duration.ofMillis(100));
      return;
    }
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

  private void onSyncAnswer(SyncAnswer m) {
    if (!m.ok()) syncFailed = true;
    // Applied at once: the next poll sees it only one notify interval later, and "synced" must mean
    // that reads here show it.
    if (m.value() != null) reader.read(m.shard(), m.value(), writer);
    if (--syncOutstanding > 0) return;
    if (syncFailed) timers.startSingleTimer(SyncRetry.INSTANCE, Duration.ofSeconds(1));
    else index.setSynced(true);
  }

  // ---------------------------------------------------------------- membership

  private void onClusterChanged(ClusterChanged m) {
    ClusterEvent.ClusterDomainEvent event = m.event();
    // Typed cluster subscriptions deliver the initial state as events, so this sees every member.
    if (event instanceof ClusterEvent.MemberRemoved removed) {
      deleteEntriesOf(view.memberRemoved(NodeId.of(removed.member().uniqueAddress())));
    } else if (event instanceof ClusterEvent.MemberEvent e) {
      NodeId node = NodeId.of(e.member().uniqueAddress());
      view.memberStatus(node, e.member().status());
      if (!syncStarted && e.member().status() == MemberStatus.up() && node.equals(self)) startSync();
    } else if (event instanceof ClusterEvent.UnreachableMember u) {
      view.unreachable(NodeId.of(u.member().uniqueAddress()));
    } else if (event instanceof ClusterEvent.ReachableMember r) {
      view.reachable(NodeId.of(r.member().uniqueAddress()));
    } else if (event instanceof ClusterEvent.LeaderChanged l) {
      deleteEntriesOf(view.leaderChanged(l.getLeader()));
    } else {
      return;
    }
    PresenceIndex.Membership next = view.membership();
    DiffSubscribers.Diffs diffs = subscribers.diffs();
    if (!index.visibleOwners().equals(next.visible())) diffs.visibilityChanged(index, index.visibleOwners(), next.visible());
    index.setMembership(next);
    diffs.publish();
  }

  private void onSweep() {
    Set<NodeId> expired = view.sweep(System.nanoTime(), reader::owners);
    if (!expired.isEmpty()) {
      ctx.getLog().info("tracker sweep deletes entries of departed nodes {}", expired);
      deleteEntriesOf(expired);
    }
  }

  private void deleteEntriesOf(Set<NodeId> gone) {
    if (!gone.isEmpty()) reader.deleteEntriesOf(gone, writer);
  }

  // ---------------------------------------------------------------- statistics, helpers

  private void onGetStats(GetStats m) {
    Iterable<ORSet<Presence>> measured = clustered && m.measureKeys() ? reader.values() : List.of();
    akka.serialization.Serialization serialization =
        akka.serialization.SerializationExtension.get(Adapter.toClassic(ctx.getSystem()));
    m.reply().complete(StatsReport.of(clustered ? Tracker.Mode.CLUSTER : Tracker.Mode.LOCAL, index, measured,
        set -> serialization.serialize(set).get().length));
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

  /** The shard of a key within its topic: the same on every node (see {@link ShardLayout}). */
  static int shardWithinTopic(TrackerKey key, int shardsPerTopic) {
    return ShardLayout.withinTopic(key, shardsPerTopic);
  }
}
