package dev.phantom.tracker;

import java.util.Map;

/**
 * A snapshot of one node's tracker, for operators and benchmarks.
 *
 * @param mode the active mode
 * @param self this node
 * @param entriesByTopic visible entries per topic, as this node sees them
 * @param entriesByOwner entries per owner node (visible or not)
 * @param hiddenEntries entries whose owner is unreachable, downed or gone (hidden from reads, not yet
 *     deleted)
 * @param visibleNodes the owners whose entries reads show
 * @param largestKeyBytes the serialized size of the largest Distributed Data key, or -1 when not
 *     measured (local mode, or not asked for)
 * @param largestKeyEntries the number of entries in that key
 *
 * <pre>{@code
 * tracker.stats(false).thenAccept(stats -> log.info("{}", stats));   // what /admin/tracker shows
 * }</pre>
 */
public record TrackerStats(
    Tracker.Mode mode,
    NodeId self,
    Map<String, Integer> entriesByTopic,
    Map<String, Integer> entriesByOwner,
    int hiddenEntries,
    java.util.Set<NodeId> visibleNodes,
    long largestKeyBytes,
    int largestKeyEntries) {}
