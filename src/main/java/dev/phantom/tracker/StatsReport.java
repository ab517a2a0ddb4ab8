package dev.phantom.tracker;

import akka.cluster.ddata.ORSet;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.ToLongFunction;

/**
 * Builds a {@link TrackerStats} snapshot from this node's index and, when asked, the sizes of the
 * replicated keys. Reads only; called by the replica actor (the only writer of the index), so the
 * counts are consistent with each other.
 */
final class StatsReport {
  private StatsReport() {}

  /**
   * @param measured the keys whose serialized size is measured (none: the size is reported as -1)
   * @param sizeOf a key's serialized size in bytes
   */
  static TrackerStats of(Tracker.Mode mode, PresenceIndex index, Iterable<ORSet<Presence>> measured,
      ToLongFunction<ORSet<Presence>> sizeOf) {
    Map<String, Integer> byTopic = new TreeMap<>();
    Map<String, Integer> byOwner = new TreeMap<>();
    int[] hidden = {0};
    for (String topic : index.topics()) byTopic.put(topic, index.list(topic).size());
    index.forEachEntry(p -> {
      byOwner.merge(p.owner().toString(), 1, Integer::sum);
      if (!index.isVisible(p.owner())) hidden[0]++;
    });
    long largestBytes = -1;
    int largestEntries = 0;
    for (ORSet<Presence> set : measured) {
      if (set.isEmpty()) continue;
      long bytes = sizeOf.applyAsLong(set);
      if (bytes > largestBytes) {
        largestBytes = bytes;
        largestEntries = set.size();
      }
    }
    return new TrackerStats(mode, index.self(), byTopic, byOwner, hidden[0], index.visibleOwners(), largestBytes,
        largestEntries);
  }
}
