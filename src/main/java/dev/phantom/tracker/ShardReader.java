package dev.phantom.tracker;

import akka.cluster.UniqueAddress;
import akka.cluster.ddata.ORSet;
import akka.cluster.ddata.VersionVector;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The read side of the replicated data: each shard key's last value, applied to the index as joins and
 * leaves, and this node's own entries in it reconciled with the live table.
 *
 * <ul>
 *   <li><b>Diffed only when another node wrote.</b> A polled value is diffed only when its version
 *       vector shows another node's write since the last poll: this node's writes are in the index
 *       already, and diffing every key it wrote (a lookup per entry) took 70 % of a node's CPU at
 *       180,000 entries tracked in a burst. Every key is still compared in full each {@code
 *       full-diff-interval}.
 *   <li><b>The diff costs the changes, not the key</b>: elements both values share are the same objects
 *       (merges keep unchanged elements), so comparing them is an identity check.
 *   <li><b>Tombstones without tombstones.</b> The live table ({@link OwnEntries}) is authoritative for
 *       own entries: one the replicated value shows but the table lacks (an OR-set concurrent add
 *       resurrected it) is removed again, one it lacks is put again. Only once nothing of ours is queued
 *       or in flight for the key, so the value already includes our earlier writes.
 *   <li>Entries of a removed owner arriving late are deleted, when {@link MembershipView} says so.
 * </ul>
 *
 * Owned by the replica actor and used from its thread only.
 */
final class ShardReader {
  private final NodeId self;
  private final UniqueAddress selfUnique;
  private final PresenceIndex index;
  private final OwnEntries own;
  private final MembershipView view;
  private final DiffSubscribers subscribers;
  private final long fullDiffNanos;
  /** Per shard key: the value {@link #replicated} and the index reflect (the last one diffed). */
  private final List<ORSet<Presence>> lastSeen = new ArrayList<>();
  /** Per shard key: the last value the replicator reported (diffed or not). */
  private final List<ORSet<Presence>> lastPolled = new ArrayList<>();
  /** Per shard key: the elements of {@link #lastSeen} by entry id (every owner's). */
  private final List<Map<String, Presence>> replicated = new ArrayList<>();
  /** Shards whose next poll is diffed even if only this node changed the key. */
  private final boolean[] diffNext;
  /** Shards whose replicated value showed an own entry that differs from the live table. */
  private final boolean[] needsReconcile;
  private long lastFullDiff = System.nanoTime();

  ShardReader(NodeId self, UniqueAddress selfUnique, PresenceIndex index, OwnEntries own, MembershipView view,
      DiffSubscribers subscribers, int shardCount, Duration fullDiffInterval) {
    this.self = self;
    this.selfUnique = selfUnique;
    this.index = index;
    this.own = own;
    this.view = view;
    this.subscribers = subscribers;
    this.fullDiffNanos = fullDiffInterval.toNanos();
    this.diffNext = new boolean[shardCount];
    this.needsReconcile = new boolean[shardCount];
    for (int i = 0; i < shardCount; i++) {
      lastSeen.add(ORSet.create());
      lastPolled.add(lastSeen.get(i));
      replicated.add(new HashMap<>());
    }
  }

  /** A poll of every key begins: once per {@code full-diff-interval} every key is diffed in full. */
  void pollStarted(long now) {
    if (now - lastFullDiff >= fullDiffNanos) {
      lastFullDiff = now;
      Arrays.fill(diffNext, true);
    }
  }

  /** The local replicator's current value of a key. */
  void polled(int shard, ORSet<Presence> value, ShardWriter writer) {
    // the replicator replaces the value object on every change: the same object means no change
    boolean othersChanged = value != lastPolled.get(shard) && othersChanged(lastPolled.get(shard).vvector(), value.vvector());
    lastPolled.set(shard, value);
    if (value != lastSeen.get(shard) && (othersChanged || diffNext[shard])) {
      // A periodic full comparison also checks our own entries against the live table: the diff
      // against a value this node skipped may not show them (one removed and put back in between).
      if (diffNext[shard]) needsReconcile[shard] = true;
      diffNext[shard] = false;
      apply(shard, value, writer);
    }
  }

  /**
   * A key's value read from a majority (the initial sync), applied at once. Merged, never replacing: a
   * newer value may have been applied while the read was under way, and an older one would drop entries.
   */
  void read(int shard, ORSet<Presence> value, ShardWriter writer) {
    apply(shard, lastSeen.get(shard).merge(value), writer);
    lastPolled.set(shard, lastSeen.get(shard));
  }

  /** The next poll of the shard is diffed (an update removed other owners' entries). */
  void diffNextPoll(int shard) {
    diffNext[shard] = true;
  }

  /**
   * Applies a key's new value. Elements are compared by hash lookup, which for the elements both values
   * share is an identity check, so the work is a lookup per element and allocation only for the changes.
   */
  private void apply(int shard, ORSet<Presence> value, ShardWriter writer) {
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
      reconcile(shard, writer);
      return;
    }
    Map<String, Presence> byId = replicated.get(shard);
    Map<String, Presence> wasById = new HashMap<>();
    for (Presence p : removed) {
      String id = ShardLayout.entryId(p);
      byId.remove(id, p);
      wasById.put(id, p);
    }
    Map<String, Presence> nowById = new HashMap<>();
    for (Presence p : added) {
      String id = ShardLayout.entryId(p);
      byId.put(id, p);
      nowById.put(id, p);
    }
    Map<String, Presence> mine = own.ofShard(shard);
    DiffSubscribers.Diffs diffs = subscribers.diffs();
    Predicate<NodeId> deleteLate = view.lateArrivalsToDelete();
    for (Map.Entry<String, Presence> e : nowById.entrySet()) {
      Presence now = e.getValue();
      Presence was = wasById.remove(e.getKey());
      if (now.owner().equals(self)) {
        Presence live = mine.get(e.getKey());
        if (live != now && !now.equals(live)) needsReconcile[shard] = true;
        continue;
      }
      // An entry of a removed node arriving after its removal (a late delta or gossip) is deleted too.
      if (deleteLate.test(now.owner())) writer.add(shard, new ShardWriter.Remove(e.getKey()));
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
    reconcile(shard, writer);
    writer.schedule(shard);
    diffs.publish();
  }

  /**
   * Makes the replicated copy of this node's entries match its live table, if the shard needs it and
   * nothing of ours is queued or in flight for it; otherwise the shard stays marked and is reconciled
   * when its update completes.
   */
  void reconcile(int shard, ShardWriter writer) {
    if (!needsReconcile[shard] || writer.busy(shard)) return;
    needsReconcile[shard] = false;
    Map<String, Presence> shown = replicated.get(shard);
    Map<String, Presence> mine = own.ofShard(shard);
    for (Map.Entry<String, Presence> e : shown.entrySet()) {
      if (e.getValue().owner().equals(self) && !mine.containsKey(e.getKey())) {
        writer.add(shard, new ShardWriter.Remove(e.getKey()));
      }
    }
    for (Map.Entry<String, Presence> e : mine.entrySet()) {
      if (!e.getValue().equals(shown.get(e.getKey()))) writer.add(shard, new ShardWriter.Put(e.getKey(), e.getValue()));
    }
    writer.schedule(shard);
  }

  /** Queues the deletion of every entry whose owner is in {@code gone} (never our own). */
  void deleteEntriesOf(Set<NodeId> gone, ShardWriter writer) {
    for (int shard = 0; shard < replicated.size(); shard++) {
      for (Map.Entry<String, Presence> e : replicated.get(shard).entrySet()) {
        NodeId owner = e.getValue().owner();
        if (!owner.equals(self) && gone.contains(owner)) writer.add(shard, new ShardWriter.Remove(e.getKey()));
      }
      writer.schedule(shard);
    }
  }

  /** Every owner with an entry in the replicated data. */
  Set<NodeId> owners() {
    Set<NodeId> owners = new HashSet<>();
    for (Map<String, Presence> byId : replicated) {
      for (Presence p : byId.values()) owners.add(p.owner());
    }
    return owners;
  }

  /** The last applied value's elements of a shard key, by entry id (read-only). */
  Map<String, Presence> shown(int shard) {
    return Collections.unmodifiableMap(replicated.get(shard));
  }

  /** The last applied value of every shard key. */
  List<ORSet<Presence>> values() {
    return Collections.unmodifiableList(lastSeen);
  }

  /**
   * Whether another node has written the key between two of its values. Every update advances its
   * writer's version ({@link ShardWriter} sees to it for removals), so the version vectors tell.
   */
  private boolean othersChanged(VersionVector before, VersionVector after) {
    if (before.size() != after.size()) return true;
    scala.collection.Iterator<scala.Tuple2<UniqueAddress, Object>> versions = after.versionsIterator();
    while (versions.hasNext()) {
      scala.Tuple2<UniqueAddress, Object> v = versions.next();
      if (v._1().equals(selfUnique)) continue;
      if (before.versionAt(v._1()) != (Long) v._2()) return true;
    }
    return false;
  }

  /** A key's elements: a view over the CRDT's own map, nothing copied. */
  private static Set<Presence> elements(ORSet<Presence> set) {
    return scala.jdk.javaapi.CollectionConverters.asJava(set.elements());
  }
}
