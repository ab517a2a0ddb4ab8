package dev.phantom.tracker;

import akka.actor.typed.ActorRef;
import dev.phantom.tracker.TrackerProtocol.Selection;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * This node's own entries: the live table, authoritative for them (per shard key, by entry id), and the
 * same entries by actor (an actor is watched while it has one, and untracked when it stops).
 *
 * <p>Bookkeeping only: every change is returned as a {@link Change}, which the replica applies in one
 * place to the index, the writer and the diffs. Entries under a key are found through the index, which
 * keeps them oldest first. Owned by the replica actor and used from its thread only.
 */
final class OwnEntries {

  /**
   * One change of an own entry.
   *
   * @param was the entry before (null when it is new)
   * @param now the entry after (null when it was removed)
   */
  record Change(int shard, String entryId, Presence was, Presence now) {}

  private final NodeId self;
  private final PresenceIndex index;
  private final ShardLayout layout;
  private final List<Map<String, Presence>> byShard = new ArrayList<>();
  private final Map<ActorRef<?>, List<Presence>> byRef = new HashMap<>();

  OwnEntries(NodeId self, PresenceIndex index, ShardLayout layout) {
    this.self = self;
    this.index = index;
    this.layout = layout;
    for (int i = 0; i < layout.count(); i++) byShard.add(new HashMap<>());
  }

  /** The new entry, or null when the actor is tracked under the key already. */
  Change track(String topic, TrackerKey key, ActorRef<?> ref, Map<String, Object> meta) {
    int shard = layout.shardOf(topic, key);
    String id = ShardLayout.entryId(key, ref, self);
    if (byShard.get(shard).containsKey(id)) return null;
    Presence p = new Presence(topic, key, ref, self, meta, System.currentTimeMillis());
    byShard.get(shard).put(id, p);
    byRef.computeIfAbsent(ref, r -> new ArrayList<>(2)).add(p);
    return new Change(shard, id, null, p);
  }

  /** The own entries a removal selects ({@code topic} and {@code key} unused for {@code BY_REF}). */
  List<Presence> select(Selection selection, String topic, TrackerKey key, ActorRef<?> ref) {
    List<Presence> out = new ArrayList<>();
    switch (selection) {
      case BY_REF -> out.addAll(byRef.getOrDefault(ref, List.of()));
      case BY_KEY -> out.addAll(under(topic, key));
      case BY_KEY_AND_REF -> {
        for (Presence p : under(topic, key)) if (p.ref().equals(ref)) out.add(p);
      }
    }
    return out;
  }

  /** Every own entry, a copy (a graceful leave removes them all). */
  List<Presence> all() {
    List<Presence> out = new ArrayList<>();
    for (List<Presence> ofRef : byRef.values()) out.addAll(ofRef);
    return out;
  }

  /** The removal, or null when the entry is not (or no longer) tracked. */
  Change remove(Presence p) {
    int shard = layout.shardOf(p.topic(), p.key());
    String id = ShardLayout.entryId(p.key(), p.ref(), self);
    if (byShard.get(shard).remove(id) == null) return null;
    List<Presence> ofRef = byRef.get(p.ref());
    if (ofRef != null) {
      ofRef.removeIf(q -> q.sameEntry(p.topic(), p.key(), p.ref()));
      if (ofRef.isEmpty()) byRef.remove(p.ref());
    }
    return new Change(shard, id, p, null);
  }

  /**
   * Merges {@code patch} into this node's oldest entry under the key (a null value removes that field);
   * null when there is none.
   */
  Change updateMeta(String topic, TrackerKey key, Map<String, Object> patch) {
    List<Presence> mine = under(topic, key);
    if (mine.isEmpty()) return null;
    Presence old = mine.get(0);
    Map<String, Object> merged = new LinkedHashMap<>(old.meta());
    patch.forEach((k, v) -> {
      if (v == null) merged.remove(k);
      else merged.put(k, v);
    });
    Presence next = new Presence(topic, key, old.ref(), self, Collections.unmodifiableMap(merged), old.trackedAt());
    int shard = layout.shardOf(topic, key);
    String id = ShardLayout.entryId(key, old.ref(), self);
    byShard.get(shard).put(id, next);
    byRef.get(old.ref()).replaceAll(q -> q.sameEntry(topic, key, old.ref()) ? next : q);
    return new Change(shard, id, old, next);
  }

  /** This node's entries under a key, oldest first. */
  List<Presence> under(String topic, TrackerKey key) {
    List<Presence> out = new ArrayList<>(1);
    for (Presence p : index.rawTopic(topic).getOrDefault(key, new Presence[0])) {
      if (p.owner().equals(self)) out.add(p);
    }
    return out;
  }

  /** Whether the actor has an own entry (and so must stay watched). */
  boolean hasEntriesOf(ActorRef<?> ref) {
    return byRef.containsKey(ref);
  }

  /** The live entries of one shard key, by entry id (read-only). */
  Map<String, Presence> ofShard(int shard) {
    return Collections.unmodifiableMap(byShard.get(shard));
  }
}
