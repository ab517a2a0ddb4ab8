package dev.phantom.testkit;

import akka.actor.Address;
import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import akka.cluster.MemberStatus;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.Down;
import akka.cluster.typed.JoinSeedNodes;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.StreamSupport;

/**
 * Several cluster nodes (ActorSystems named {@code phantom}) in one JVM, on 127.0.0.1 only, with fast
 * gossip settings for tests. Nobody downs automatically: tests crash a node with {@link #crash}.
 */
public final class TestCluster implements AutoCloseable {
  public static final String SYSTEM_NAME = "phantom";
  /**
   * The requestState key every test node shares ({@code phantom.stateless.state-keys}, base64 of 32
   * bytes), as every node of a real cluster must: an input_required retry may reach any node. A test
   * that needs a node with another key passes its own in the extra configuration.
   */
  public static final String STATE_KEY = java.util.Base64.getEncoder()
      .encodeToString("phantom-test-cluster-state-key!!".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
  private static final Duration FORMATION_TIMEOUT = Duration.ofSeconds(30);

  private final List<ActorSystem<Void>> nodes = new ArrayList<>();
  private final List<ActorTestKit> kits = new ArrayList<>();
  private final Config extra;

  private TestCluster(Config extra) {
    this.extra = extra;
  }

  /** The configuration of one test node on {@code port} (0 = any free port). */
  public static Config nodeConfig(int port, Config extra) {
    return extra
        .withFallback(ConfigFactory.parseString(String.join("\n",
            "akka.actor.provider = cluster",
            "akka.remote.artery.canonical.hostname = 127.0.0.1",
            "akka.remote.artery.canonical.port = " + port,
            "akka.cluster.jmx.multi-mbeans-in-same-jvm = on",
            "akka.cluster.downing-provider-class = \"\"",
            "akka.cluster.retry-unsuccessful-join-after = 1s",
            "akka.cluster.gossip-interval = 200ms",
            "akka.cluster.leader-actions-interval = 200ms",
            "akka.cluster.failure-detector.heartbeat-interval = 500ms",
            "akka.cluster.failure-detector.acceptable-heartbeat-pause = 2s",
            "akka.cluster.pub-sub.gossip-interval = 200ms",
            "akka.coordinated-shutdown.run-by-jvm-shutdown-hook = off",
            "akka.coordinated-shutdown.exit-jvm = off",
            "akka.loglevel = WARNING",
            "akka.log-dead-letters = off",
            "akka.log-dead-letters-during-shutdown = off",
            "phantom.tracker.sweep-interval = 500ms",
            "phantom.tracker.sweep-grace = 2s",
            "phantom.stateless.state-keys = \"" + STATE_KEY + "\"")))
        .withFallback(ConfigFactory.load());
  }

  /** Starts {@code size} nodes and waits until all see each other Up. */
  public static TestCluster start(int size) {
    return start(size, ConfigFactory.empty());
  }

  public static TestCluster start(int size, Config extra) {
    TestCluster cluster = new TestCluster(extra);
    try {
      for (int i = 0; i < size; i++) cluster.addNode(0);
      cluster.awaitUp();
      return cluster;
    } catch (RuntimeException | Error e) {
      cluster.close();
      throw e;
    }
  }

  /** Starts one more node on {@code port} (0 = any) and asks it to join the first node. */
  public ActorSystem<Void> addNode(int port) {
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), SYSTEM_NAME, nodeConfig(port, extra));
    Address seed = nodes.isEmpty() ? Cluster.get(system).selfMember().address() : firstLiveSeed();
    Cluster.get(system).manager().tell(new JoinSeedNodes(List.of(seed)));
    nodes.add(system);
    kits.add(ActorTestKit.create(system));
    return system;
  }

  private Address firstLiveSeed() {
    for (ActorSystem<Void> n : nodes) {
      if (!n.getWhenTerminated().toCompletableFuture().isDone()) return Cluster.get(n).selfMember().address();
    }
    throw new IllegalStateException("no live node to join");
  }

  /** Waits until every live node sees every live node Up. */
  public void awaitUp() {
    List<ActorSystem<Void>> live = live();
    Eventually.await(FORMATION_TIMEOUT, () -> live.stream().allMatch(n ->
            StreamSupport.stream(Cluster.get(n).state().getMembers().spliterator(), false)
                    .filter(m -> m.status() == MemberStatus.up())
                    .count() == live.size()),
        () -> "cluster of " + live.size() + " Up");
  }

  public ActorSystem<Void> node(int i) {
    return nodes.get(i);
  }

  public ActorTestKit kit(int i) {
    return kits.get(i);
  }

  public int size() {
    return nodes.size();
  }

  public List<ActorSystem<Void>> live() {
    return nodes.stream().filter(n -> !n.getWhenTerminated().toCompletableFuture().isDone()).toList();
  }

  public static int port(ActorSystem<?> system) {
    return Cluster.get(system).selfMember().address().getPort().get();
  }

  /**
   * A crash as the survivors see it: {@code survivor} downs the victim and the victim's ActorSystem is
   * terminated without a graceful leave (its cluster-leave phases are disabled by {@code abruptStop}).
   */
  public void crash(int victim, int survivor) {
    ActorSystem<Void> dead = nodes.get(victim);
    Cluster.get(nodes.get(survivor)).manager().tell(new Down(Cluster.get(dead).selfMember().address()));
    dead.terminate();
    try {
      dead.getWhenTerminated().toCompletableFuture().get(20, java.util.concurrent.TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("node did not terminate", e);
    }
  }

  /** Extra configuration that makes a node stop without leaving the cluster gracefully. */
  public static Config abruptStop() {
    return ConfigFactory.parseString(String.join("\n",
        "akka.coordinated-shutdown.phases.cluster-leave.enabled = off",
        "akka.coordinated-shutdown.phases.cluster-exiting.enabled = off",
        "akka.coordinated-shutdown.phases.cluster-exiting-done.enabled = off",
        "akka.coordinated-shutdown.phases.cluster-shutdown.enabled = off",
        // the tracker's graceful leave runs in this phase: a crash does not leave gracefully
        "akka.coordinated-shutdown.phases.before-cluster-shutdown.enabled = off"));
  }

  @Override
  public void close() {
    for (ActorSystem<Void> n : nodes) n.terminate();
    for (ActorSystem<Void> n : nodes) {
      try {
        n.getWhenTerminated().toCompletableFuture().get(30, java.util.concurrent.TimeUnit.SECONDS);
      } catch (Exception ignored) {
        // best effort: a hung node must not hide the test's own failure
      }
    }
  }
}
