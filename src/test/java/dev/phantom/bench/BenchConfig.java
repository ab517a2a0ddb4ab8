package dev.phantom.bench;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;

/**
 * The configurations of the benchmark's ActorSystems. None of them touches {@code phantom.tracker}: the
 * tracker runs with its defaults from {@code reference.conf} (shards, its own replicator's gossip and
 * notify intervals, sweep).
 */
final class BenchConfig {
  private BenchConfig() {}

  private static final String QUIET = String.join("\n",
      "akka.loglevel = WARNING",
      "akka.log-dead-letters = off",
      "akka.log-dead-letters-during-shutdown = off",
      "akka.coordinated-shutdown.run-by-jvm-shutdown-hook = off",
      "akka.coordinated-shutdown.exit-jvm = off");

  /** A plain local ActorSystem (no cluster provider): the tracker runs in LOCAL mode. */
  static Config local() {
    return ConfigFactory.parseString("akka.actor.provider = local\n" + QUIET).withFallback(ConfigFactory.load());
  }

  /** One cluster node on 127.0.0.1, any free port, that the benchmark joins to itself. */
  static Config singleNode() {
    return ConfigFactory.parseString(String.join("\n",
            "akka.actor.provider = cluster",
            "akka.remote.artery.canonical.hostname = 127.0.0.1",
            "akka.remote.artery.canonical.port = 0",
            "akka.cluster.jmx.multi-mbeans-in-same-jvm = on",
            QUIET))
        .withFallback(ConfigFactory.load());
  }

  /** The settings every node of the crash measurement uses (observers and the victim child JVM). */
  static final String PRODUCTION_LIKE = String.join("\n",
      "akka.actor.provider = cluster",
      "akka.remote.artery.canonical.hostname = 127.0.0.1",
      "akka.cluster.jmx.multi-mbeans-in-same-jvm = on",
      "akka.cluster.downing-provider-class = \"akka.cluster.sbr.SplitBrainResolverProvider\"",
      "akka.cluster.split-brain-resolver.active-strategy = keep-majority",
      "akka.cluster.split-brain-resolver.stable-after = 7s");

  /**
   * A node with production-like downing: Split Brain Resolver (keep-majority, stable-after 7 s) and the
   * default failure detector, gossip and leader-actions settings.
   */
  static Config productionLike(int port) {
    return ConfigFactory.parseString(String.join("\n",
            PRODUCTION_LIKE,
            "akka.remote.artery.canonical.port = " + port,
            QUIET))
        .withFallback(ConfigFactory.load());
  }
}
