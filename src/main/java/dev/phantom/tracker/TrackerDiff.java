package dev.phantom.tracker;

import java.util.List;

/**
 * Joins and leaves of one topic, as seen by this node, delivered to {@link Tracker#subscribe} listeners.
 * A metadata update is a leave of the old entry plus a join of the new one (as in Phoenix.Tracker). A
 * node that becomes unreachable or leaves produces leaves for all its entries; one that becomes
 * reachable again produces joins.
 *
 * <pre>{@code
 * tracker.subscribe("jobs", listener);   // an ActorRef<TrackerDiff>: joins and leaves of "jobs" entries
 * }</pre>
 */
public record TrackerDiff(String topic, List<Presence> joins, List<Presence> leaves) {}
