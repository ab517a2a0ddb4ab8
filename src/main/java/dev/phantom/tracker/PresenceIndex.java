package dev.phantom.tracker;

import akka.actor.typed.ActorRef;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The tracker's read side on one node: every entry this node knows of (its own and the replicated ones),
 * indexed by topic and key, plus the membership view that decides which owners are visible.
 *
 * <p>Single writer, many readers: only the {@link TrackerReplica} actor mutates it; any thread reads it
 * without locks. Per key the value is an immutable array replaced on write, so a reader sees either the
 * old or the new set of a key, never a torn one. Listing a whole topic is weakly consistent (it may
 * interleave with a concurrent write to another key). Reads filter out entries whose owner is not
 * visible (unreachable, downed or no longer a member): that is how a crashed node's entries are hidden
 * before they are deleted.
 */
final class PresenceIndex {
  private static final Presence[] NONE = new Presence[0];

  /** Which owners reads show, and the uid of every known member (to route homed ids). */
  record Membership(Set<NodeId> visible, Map<Long, NodeId> byUid) {}

  private final NodeId self;
  private final Map<String, ConcurrentHashMap<TrackerKey, Presence[]>> topics;
  private volatile Membership membership;
  private volatile boolean synced;

  private final java.util.List<String> topicNames;
  private final String scopeTopic;

  PresenceIndex(NodeId self, java.util.List<String> topicNames, String scopeTopic) {
    this.self = self;
    this.topicNames = topicNames;
    this.scopeTopic = scopeTopic;
    Map<String, ConcurrentHashMap<TrackerKey, Presence[]>> byTopic = new java.util.HashMap<>();
    for (String topic : topicNames) byTopic.put(topic, new ConcurrentHashMap<>());
    this.topics = Map.copyOf(byTopic);
    this.membership = new Membership(Set.of(self), Map.of(self.uid(), self));
  }

  NodeId self() {
    return self;
  }

  /** The configured topics, in order. */
  java.util.List<String> topics() {
    return topicNames;
  }

  // ---- reads (any thread) ----

  boolean isVisible(NodeId owner) {
    return owner.equals(self) || membership.visible().contains(owner);
  }

  Set<NodeId> visibleOwners() {
    return membership.visible();
  }

  /** The visible member at this address (the owner of an actor living there), if any. */
  Optional<NodeId> memberAt(String address) {
    if (self.address().equals(address)) return Optional.of(self);
    for (NodeId node : membership.visible()) if (node.address().equals(address)) return Optional.of(node);
    return Optional.empty();
  }

  int visibleNodeCount() {
    return membership.visible().size();
  }

  /**
   * The node that arbitrates a scope: the home named by a {@link HomedIds homed id} if that node is a
   * visible member, else the owner of the scope's oldest visible entry in the scope topic.
   */
  Optional<NodeId> homeOf(String scope) {
    OptionalLong uid = HomedIds.homeUid(scope);
    if (uid.isPresent()) return memberByUid(uid.getAsLong());
    return oldest(scopeTopic, TrackerKey.id(scope)).map(Presence::owner);
  }

  /**
   * Whether {@code id} is a homed id whose home is still a cluster member but hidden from reads now
   * (unreachable, or not yet Up): it may answer again, unlike a home that left.
   */
  boolean homeIsHiddenMember(String id) {
    OptionalLong uid = HomedIds.homeUid(id);
    if (uid.isEmpty()) return false;
    NodeId node = membership.byUid().get(uid.getAsLong());
    return node != null && !isVisible(node);
  }

  Optional<NodeId> memberByUid(long uid) {
    NodeId node = membership.byUid().get(uid);
    return node != null && isVisible(node) ? Optional.of(node) : Optional.empty();
  }

  /** Visible entries under a key, oldest first. */
  List<Presence> lookup(String topic, TrackerKey key) {
    Presence[] all = topic(topic).getOrDefault(key, NONE);
    if (all.length == 0) return List.of();
    List<Presence> out = new ArrayList<>(all.length);
    for (Presence p : all) if (isVisible(p.owner())) out.add(p);
    return out;
  }

  /** The oldest visible entry under a key. */
  Optional<Presence> oldest(String topic, TrackerKey key) {
    for (Presence p : topic(topic).getOrDefault(key, NONE)) {
      if (isVisible(p.owner())) return Optional.of(p);
    }
    return Optional.empty();
  }

  /** Every visible entry of a topic. */
  List<Presence> list(String topic) {
    List<Presence> out = new ArrayList<>();
    for (Presence[] entries : topic(topic).values()) {
      for (Presence p : entries) if (isVisible(p.owner())) out.add(p);
    }
    return out;
  }

  /** The oldest visible entry of every key of a topic. */
  List<Presence> listOldestPerKey(String topic) {
    List<Presence> out = new ArrayList<>();
    for (Presence[] entries : topic(topic).values()) {
      for (Presence p : entries) {
        if (isVisible(p.owner())) {
          out.add(p);
          break;
        }
      }
    }
    return out;
  }

  /** Every entry, visible or not (for the replica's scans and for statistics). */
  void forEachEntry(Consumer<Presence> action) {
    for (ConcurrentHashMap<TrackerKey, Presence[]> topic : topics.values()) {
      for (Presence[] entries : topic.values()) for (Presence p : entries) action.accept(p);
    }
  }

  Map<TrackerKey, Presence[]> rawTopic(String topic) {
    return topic(topic);
  }

  boolean isSynced() {
    return synced;
  }

  // ---- writes (the replica actor only) ----

  void setSynced(boolean value) {
    this.synced = value;
  }

  void setMembership(Membership next) {
    this.membership = next;
  }

  void add(Presence p) {
    topic(p.topic()).compute(p.key(), (k, old) -> insertSorted(old == null ? NONE : old, p));
  }

  void remove(Presence p) {
    topic(p.topic()).computeIfPresent(p.key(), (k, old) -> without(old, p.ref()));
  }

  void replace(Presence old, Presence next) {
    topic(next.topic())
        .compute(next.key(), (k, arr) -> insertSorted(without(arr == null ? NONE : arr, old.ref()), next));
  }

  private ConcurrentHashMap<TrackerKey, Presence[]> topic(String topic) {
    ConcurrentHashMap<TrackerKey, Presence[]> t = topics.get(topic);
    if (t == null) throw new IllegalArgumentException("unknown tracker topic: " + topic);
    return t;
  }

  private static Presence[] insertSorted(Presence[] arr, Presence p) {
    Presence[] base = arr == null ? null : without(arr, p.ref());
    if (base == null) base = NONE;
    int at = 0;
    while (at < base.length && Presence.compareAge(base[at], p) <= 0) at++;
    Presence[] out = new Presence[base.length + 1];
    System.arraycopy(base, 0, out, 0, at);
    out[at] = p;
    System.arraycopy(base, at, out, at + 1, base.length - at);
    return out;
  }

  /** The array without the entry of {@code ref}; null (which drops the key) when it becomes empty. */
  private static Presence[] without(Presence[] arr, ActorRef<?> ref) {
    int idx = -1;
    for (int i = 0; i < arr.length; i++) {
      if (arr[i].ref().equals(ref)) {
        idx = i;
        break;
      }
    }
    if (idx < 0) return arr.length == 0 ? null : arr;
    if (arr.length == 1) return null;
    Presence[] out = Arrays.copyOf(arr, arr.length - 1);
    System.arraycopy(arr, idx + 1, out, idx, arr.length - idx - 1);
    return out;
  }
}
