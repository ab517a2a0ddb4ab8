package dev.phantom.bench;

import dev.phantom.presence.SessionTracker;
import akka.actor.AddressFromURIString;
import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.cluster.MemberStatus;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.JoinSeedNodes;
import dev.phantom.tracker.TrackResult;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The node that the crash measurement kills: run as a child JVM by {@link CrashMeasurement}.
 *
 * <pre>
 * java -cp ... dev.phantom.bench.CrashVictimNode SEED_ADDRESS PORT SESSIONS SUBSCRIPTIONS
 * </pre>
 *
 * Starts an ActorSystem "phantom" on 127.0.0.1:PORT (0 = any free port) with the production-like
 * downing settings of {@link BenchConfig#productionLike}, joins SEED_ADDRESS, tracks SESSIONS sessions
 * and SUBSCRIPTIONS resource subscriptions over 100 idle actors, then prints {@code READY <NodeId>} and
 * waits to be killed. It exits by itself when its standard input closes (the parent died) or after 10
 * minutes, so it can never outlive the benchmark for long.
 */
public final class CrashVictimNode {
  private static final int ACTORS = 100;

  private CrashVictimNode() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 4) {
      System.out.println("FAILED usage: CrashVictimNode SEED_ADDRESS PORT SESSIONS SUBSCRIPTIONS");
      System.exit(2);
    }
    startGuards();
    String seed = args[0];
    int port = Integer.parseInt(args[1]);
    int sessions = Integer.parseInt(args[2]);
    int subscriptions = Integer.parseInt(args[3]);

    ActorSystem<ActorPool.Spawn> system =
        ActorSystem.create(ActorPool.guardian(), "phantom", BenchConfig.productionLike(port));
    SessionTracker tracker = SessionTracker.get(system);
    Cluster cluster = Cluster.get(system);
    cluster.manager().tell(new JoinSeedNodes(List.of(AddressFromURIString.parse(seed))));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    while (cluster.selfMember().status() != MemberStatus.up()) {
      if (System.nanoTime() > deadline) {
        System.out.println("FAILED not Up within 90 s");
        System.out.flush();
        Runtime.getRuntime().halt(2);
      }
      Thread.sleep(20);
    }

    List<ActorRef<Object>> pool = ActorPool.spawn(system, "v-", ACTORS);
    List<CompletableFuture<TrackResult>> stages = new ArrayList<>();
    for (int i = 0; i < sessions; i++) {
      stages.add(tracker.trackSession(pool.get(i % ACTORS), tracker.tracker().mintId()).toCompletableFuture());
    }
    for (int i = 0; i < subscriptions; i++) {
      stages.add(tracker.subscribeResource(pool.get(i % ACTORS), "bench://victim/resource/" + i).toCompletableFuture());
    }
    CompletableFuture.allOf(stages.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
    long tracked = stages.stream().filter(s -> s.join() == TrackResult.TRACKED).count();
    if (tracked != sessions + subscriptions) {
      System.out.println("FAILED tracked " + tracked + " of " + (sessions + subscriptions));
      System.out.flush();
      Runtime.getRuntime().halt(2);
    }
    System.out.println("READY " + tracker.tracker().selfNode());
    System.out.flush();
    Thread.sleep(TimeUnit.MINUTES.toMillis(10));
    Runtime.getRuntime().halt(0);
  }

  /** Exit when the parent goes away (stdin EOF) and in any case after 10 minutes. */
  private static void startGuards() {
    Thread stdin = new Thread(() -> {
      try {
        while (System.in.read() >= 0) {
          // the parent never writes; EOF means it is gone
        }
      } catch (Exception ignored) {
        // closed
      }
      Runtime.getRuntime().halt(0);
    }, "parent-watch");
    stdin.setDaemon(true);
    stdin.start();
    Thread lifetime = new Thread(() -> {
      try {
        Thread.sleep(TimeUnit.MINUTES.toMillis(10));
      } catch (InterruptedException ignored) {
        // exit anyway
      }
      Runtime.getRuntime().halt(0);
    }, "lifetime");
    lifetime.setDaemon(true);
    lifetime.start();
  }
}
