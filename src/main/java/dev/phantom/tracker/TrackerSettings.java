package dev.phantom.tracker;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * The tracker's settings, read once from {@code phantom.tracker} (defaults in {@code reference.conf}).
 *
 * @param topics the topics entries are tracked in (their Distributed Data keys are made at start, so the
 *     list must be identical on every node)
 * @param scopeTopic the topic whose keys are claim scopes: a claim's arbiter is the home of its scope
 * @param mode {@code auto} (cluster when the ActorSystem's provider is {@code cluster}), {@code cluster}
 *     or {@code local}
 * @param shardsPerTopic how many Distributed Data keys each topic is spread over; must be identical on
 *     every node and must not change while any node of the cluster runs
 * @param replicatorConfig the {@code akka.cluster.distributed-data}-shaped section for the tracker's own
 *     replicator
 * @param sweepInterval how often the leader deletes entries of owners that are no longer members
 * @param sweepGrace how long an owner must have been absent from the membership before the sweep
 *     deletes its entries (guards against a member this node has not seen yet)
 * @param remoteCallTimeout how long a call routed to another node (claim, remote untrack, meta update)
 *     waits for its answer
 * @param maxUpdatesPerTick the most entry operations handed to the replicator per {@code updateTick}
 * @param updateTick how often queued writes are handed to the replicator (one update per key) and the budget renews
 * @param fullDiffInterval how often every key is compared in full with the replicator's value, even when
 *     only this node wrote it (what heals an own entry that went missing from the replicated data)
 * @param maxEntryBytes the largest entry {@code track} accepts: key plus serialized metadata, in bytes
 * @param routeTag what ends every id this node mints ({@link HomedIds}), for a proxy that routes by id;
 *     empty for none
 */
public record TrackerSettings(
    java.util.List<String> topics,
    String scopeTopic,
    String mode,
    int shardsPerTopic,
    Config replicatorConfig,
    Duration sweepInterval,
    Duration sweepGrace,
    Duration remoteCallTimeout,
    int maxUpdatesPerTick,
    Duration updateTick,
    Duration fullDiffInterval,
    int maxEntryBytes,
    String routeTag) {

  /** Reads {@code phantom.tracker} from a full configuration. */
  public static TrackerSettings fromConfig(Config root) {
    Config c = root.getConfig("phantom.tracker");
    String mode = c.getString("mode");
    if (!mode.equals("auto") && !mode.equals("cluster") && !mode.equals("local")) {
      throw new IllegalArgumentException("phantom.tracker.mode must be auto, cluster or local, not " + mode);
    }
    int shards = c.getInt("shards-per-topic");
    if (shards < 1 || shards > 4096) {
      throw new IllegalArgumentException("phantom.tracker.shards-per-topic must be 1..4096, not " + shards);
    }
    java.util.List<String> topics = java.util.List.copyOf(c.getStringList("topics"));
    if (topics.isEmpty() || new java.util.HashSet<>(topics).size() != topics.size()) {
      throw new IllegalArgumentException("phantom.tracker.topics must list distinct topics, not " + topics);
    }
    String scopeTopic = c.getString("scope-topic");
    if (!topics.contains(scopeTopic)) {
      throw new IllegalArgumentException("phantom.tracker.scope-topic " + scopeTopic + " is not one of " + topics);
    }
    String routeTag = c.getString("route-tag");
    if (!routeTag.isEmpty() && !HomedIds.ROUTE_TAG.matcher(routeTag).matches()) {
      throw new IllegalArgumentException("phantom.tracker.route-tag must be 1-32 characters of [A-Za-z0-9_-], not " + routeTag);
    }
    return new TrackerSettings(
        topics,
        scopeTopic,
        mode,
        shards,
        c.getConfig("distributed-data"),
        c.getDuration("sweep-interval"),
        c.getDuration("sweep-grace"),
        c.getDuration("remote-call-timeout"),
        c.getInt("max-updates-per-tick"),
        c.getDuration("update-tick"),
        c.getDuration("full-diff-interval"),
        (int) Math.min(60_000, c.getBytes("max-entry-size")),
        routeTag);
  }
}
