package dev.phantom.tracker;

import akka.actor.typed.ActorRef;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One tracked entry as a read returns it: an actor tracked under a key of a topic, owned by the node that
 * hosts the actor.
 *
 * <pre>{@code
 * for (Presence p : tracker.lookup("app:rooms", roomId)) {
 *   log.info("{} on {} with {}", p.ref(), p.owner(), p.meta());
 * }
 * }</pre>
 *
 * @param topic one of the configured topics ({@link Tracker#topics()})
 * @param key the key it is tracked under
 * @param ref the tracked actor
 * @param owner the node that hosts the actor; only this node ever writes the entry
 * @param meta immutable JSON-like metadata (strings, numbers, booleans, lists, maps)
 * @param trackedAt the owner's wall clock when the entry was first tracked, in epoch milliseconds
 */
public record Presence(
    String topic, TrackerKey key, ActorRef<?> ref, NodeId owner, Map<String, Object> meta, long trackedAt)
    implements TrackerSerializable {

  public Presence {
    meta = meta == null || meta.isEmpty() ? Map.of() : immutableCopy(meta);
  }

  /**
   * A compact immutable copy (every entry is kept for the life of its actor, on every node): {@code
   * Map.copyOf} where it can, an unmodifiable copy when the map holds nulls, which it refuses.
   */
  private static Map<String, Object> immutableCopy(Map<String, Object> meta) {
    for (Map.Entry<String, Object> e : meta.entrySet()) {
      if (e.getKey() == null || e.getValue() == null) return Collections.unmodifiableMap(new LinkedHashMap<>(meta));
    }
    return Map.copyOf(meta);
  }

  /**
   * Equal when every component is. Entries are elements of the replicated sets, compared on every
   * poll of a changed key: the identity check comes first (both values share most elements), and the
   * hash uses only the components that are cheap to hash (the key's cached string hash, the actor's uid).
   */
  @Override
  public boolean equals(Object o) {
    if (this == o) return true;
    return o instanceof Presence p && trackedAt == p.trackedAt && ref.equals(p.ref) && key.equals(p.key)
        && owner.equals(p.owner) && topic.equals(p.topic) && meta.equals(p.meta);
  }

  @Override
  public int hashCode() {
    return (31 * key.hashCode() + ref.hashCode()) * 31 + Long.hashCode(trackedAt);
  }

  /** The plain id this entry is tracked under, or the claim's text for an in-flight claim. */
  public String id() {
    return key.toString();
  }

  boolean sameEntry(String topic, TrackerKey key, ActorRef<?> ref) {
    return this.ref.equals(ref) && this.key.equals(key) && this.topic.equals(topic);
  }

  /** Oldest first; ties broken by owner and actor path so every node orders entries the same way. */
  static int compareAge(Presence a, Presence b) {
    int c = Long.compare(a.trackedAt, b.trackedAt);
    if (c != 0) return c;
    c = Long.compare(a.owner.uid(), b.owner.uid());
    if (c != 0) return c;
    return a.ref.path().toString().compareTo(b.ref.path().toString());
  }
}
