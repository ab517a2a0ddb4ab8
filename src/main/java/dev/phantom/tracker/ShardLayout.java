package dev.phantom.tracker;

import akka.actor.typed.ActorRef;

/**
 * Where an entry lives in the replicated data: which shard key of its topic ({@code shards-per-topic}
 * keys per topic, numbered topic-major), the key's name, and the id that names the entry within that
 * key. Pure functions: every node must compute the same shard, key and id for the same entry.
 */
final class ShardLayout {
  private final java.util.List<String> topics;
  private final int shardsPerTopic;

  ShardLayout(java.util.List<String> topics, int shardsPerTopic) {
    this.topics = topics;
    this.shardsPerTopic = shardsPerTopic;
  }

  /** How many shard keys there are, all topics together. */
  int count() {
    return topics.size() * shardsPerTopic;
  }

  /** The Distributed Data key of a shard, e.g. {@code phantom-set-rooms-3} for topic {@code app:rooms}. */
  String keyId(int shard) {
    String topic = topics.get(shard / shardsPerTopic);
    return "phantom-set-" + topic.substring(topic.indexOf(':') + 1) + "-" + shard % shardsPerTopic;
  }

  int shardOf(String topic, TrackerKey key) {
    return topics.indexOf(topic) * shardsPerTopic + withinTopic(key, shardsPerTopic);
  }

  /** A stable hash (String.hashCode is fixed by the JLS): it must give the same shard on every node. */
  static int withinTopic(TrackerKey key, int shardsPerTopic) {
    String basis = key instanceof TrackerKey.Claim c ? c.scope() : ((TrackerKey.Id) key).value();
    return Math.floorMod(basis.hashCode(), shardsPerTopic);
  }

  static String entryId(Presence p) {
    return entryId(p.key(), p.ref(), p.owner());
  }

  /** Names one entry (topic aside: each topic has its own keys): its key, its actor and the owner's incarnation. */
  static String entryId(TrackerKey key, ActorRef<?> ref, NodeId owner) {
    String keyCode = key instanceof TrackerKey.Claim c
        ? "f" + c.scope() + '\u0000' + c.name()
        : "i" + ((TrackerKey.Id) key).value();
    return keyCode + '\u0000' + ref.path().toStringWithoutAddress() + '#' + ref.path().uid() + '@'
        + Long.toHexString(owner.uid());
  }
}
