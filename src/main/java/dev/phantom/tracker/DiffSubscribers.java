package dev.phantom.tracker;

import akka.actor.typed.ActorRef;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The listeners subscribed to a topic's diffs on this node, and the {@link Diffs} that gather one
 * message's joins and leaves and publish them once at its end: a listener gets at most one {@link
 * TrackerDiff} per topic per message the replica handles. Nothing is gathered for a topic nobody has
 * subscribed to. Owned by the replica actor and used from its thread only (the caller watches the
 * listeners).
 */
final class DiffSubscribers {
  private final Map<String, Set<ActorRef<TrackerDiff>>> byTopic = new HashMap<>();

  void subscribe(String topic, ActorRef<TrackerDiff> listener) {
    byTopic.computeIfAbsent(topic, t -> new HashSet<>()).add(listener);
  }

  /** @return whether the listener was subscribed to the topic */
  boolean unsubscribe(String topic, ActorRef<TrackerDiff> listener) {
    Set<ActorRef<TrackerDiff>> subs = byTopic.get(topic);
    return subs != null && subs.remove(listener);
  }

  /** Forgets a listener that stopped, in every topic. */
  void listenerStopped(ActorRef<?> listener) {
    for (Set<ActorRef<TrackerDiff>> subs : byTopic.values()) subs.remove(listener);
  }

  boolean isSubscribed(ActorRef<?> ref) {
    for (Set<ActorRef<TrackerDiff>> subs : byTopic.values()) if (subs.contains(ref)) return true;
    return false;
  }

  /** A new, empty gathering for one message. */
  Diffs diffs() {
    return new Diffs();
  }

  /** Joins and leaves gathered while handling one message, published once at its end. */
  final class Diffs {
    private final Map<String, List<Presence>> joins = new HashMap<>();
    private final Map<String, List<Presence>> leaves = new HashMap<>();

    private Diffs() {}

    void join(Presence p) {
      if (byTopic.containsKey(p.topic())) joins.computeIfAbsent(p.topic(), t -> new ArrayList<>()).add(p);
    }

    void leave(Presence p) {
      if (byTopic.containsKey(p.topic())) leaves.computeIfAbsent(p.topic(), t -> new ArrayList<>()).add(p);
    }

    /**
     * Leaves for the entries whose owner was visible and no longer is, joins for the reverse (this node
     * is always visible).
     */
    void visibilityChanged(PresenceIndex index, Set<NodeId> before, Set<NodeId> after) {
      index.forEachEntry(p -> {
        boolean was = before.contains(p.owner()) || p.owner().equals(index.self());
        boolean now = after.contains(p.owner());
        if (was && !now) leave(p);
        else if (!was && now) join(p);
      });
    }

    void publish() {
      java.util.Set<String> topics = new java.util.TreeSet<>(joins.keySet());
      topics.addAll(leaves.keySet());
      for (String topic : topics) {
        List<Presence> j = joins.getOrDefault(topic, List.of());
        List<Presence> l = leaves.getOrDefault(topic, List.of());
        if (j.isEmpty() && l.isEmpty()) continue;
        TrackerDiff diff = new TrackerDiff(topic, List.copyOf(j), List.copyOf(l));
        for (ActorRef<TrackerDiff> s : byTopic.getOrDefault(topic, Set.of())) s.tell(diff);
      }
    }
  }
}
