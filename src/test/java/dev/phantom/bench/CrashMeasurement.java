package dev.phantom.bench;

import dev.phantom.presence.SessionTracker;
import akka.actor.Address;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import akka.cluster.Member;
import akka.cluster.MemberStatus;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.Join;
import akka.cluster.typed.JoinSeedNodes;
import dev.phantom.tracker.Presence;
import dev.phantom.tracker.TrackerStats;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.StreamSupport;

/**
 * (d) A real crash: two observer nodes in this JVM, a victim node in a child JVM that is killed with
 * SIGKILL ({@link Process#destroyForcibly()}). All three run Split Brain Resolver (keep-majority,
 * stable-after 7 s) with the default failure detector.
 */
final class CrashMeasurement {
  static final List<String> CHILD_JVM_FLAGS = List.of("-Xmx512m", "-XX:+UseG1GC");
  private static final Set<Process> CHILDREN = ConcurrentHashMap.newKeySet();
  private static final long NEVER = -1;

  private CrashMeasurement() {}

  /** Times after the kill, in nanoseconds ({@link #NEVER} = not within the bound), per observer. */
  record Result(long[] hidden, long[] deleted, long unreachable, long removed, int victimOversized) {}

  /** For the shutdown hook: kills every child still alive. */
  static void destroyAllChildren() {
    for (Process p : CHILDREN) p.destroyForcibly();
  }

  static Result runOnce(int run, int sessions, int subscriptions) throws Exception {
    List<ActorSystem<Void>> observers = new ArrayList<>();
    Process victim = null;
    try {
      ActorSystem<Void> obs0 = ActorSystem.create(Behaviors.empty(), "phantom", BenchConfig.productionLike(0));
      observers.add(obs0);
      Address seed = Cluster.get(obs0).selfMember().address();
      Cluster.get(obs0).manager().tell(Join.create(seed));
      ActorSystem<Void> obs1 = ActorSystem.create(Behaviors.empty(), "phantom", BenchConfig.productionLike(0));
      observers.add(obs1);
      Cluster.get(obs1).manager().tell(new JoinSeedNodes(List.of(seed)));
      List<SessionTracker> trackers = observers.stream().map(SessionTracker::get).toList();

      victim = startVictim(seed, sessions, subscriptions);
      List<String> victimOutput = java.util.Collections.synchronizedList(new ArrayList<>());
      BlockingQueue<String> lines = pump(victim, "    [victim " + run + "] ", victimOutput);
      String victimId = awaitReady(victim, lines, Duration.ofSeconds(120));
      String victimAddress = victimId.substring(0, victimId.indexOf('#'));
      TrackerBenchmark.progress("  run " + run + ": victim " + victimId + " ready (pid " + victim.pid() + ")");

      TrackerBenchmark.waitFor(Duration.ofSeconds(60), "3 members Up on both observers",
          () -> observers.stream().allMatch(o -> upCount(o) == 3));
      int expected = sessions + subscriptions;
      TrackerBenchmark.waitFor(Duration.ofSeconds(60), "both observers see the victim's " + expected + " entries",
          () -> trackers.stream().allMatch(t -> ownedBy(t, victimId) == expected));
      List<String> ids = trackers.get(0).listSessions().stream()
          .filter(p -> p.owner().toString().equals(victimId))
          .map(Presence::id)
          .toList();
      if (ids.size() != sessions) throw new IllegalStateException("observer lists " + ids.size() + " victim sessions, not " + sessions);
      for (SessionTracker t : trackers) {
        for (String id : ids) if (t.getSession(id).isEmpty()) throw new IllegalStateException("session not visible: " + id);
      }
      TrackerBenchmark.progress("  run " + run + ": observers see all " + expected + " victim entries; SIGKILL");

      long[] hidden = {NEVER, NEVER};
      long[] deleted = {NEVER, NEVER};
      long unreachable = NEVER;
      long removed = NEVER;
      long start = System.nanoTime();
      victim.destroyForcibly();
      long deadline = start + TimeUnit.SECONDS.toNanos(90);
      long nextStats = start;
      while (System.nanoTime() < deadline && (deleted[0] == NEVER || deleted[1] == NEVER || hidden[0] == NEVER
          || hidden[1] == NEVER || unreachable == NEVER || removed == NEVER)) {
        long now = System.nanoTime();
        for (int k = 0; k < 2; k++) {
          if (hidden[k] == NEVER && allHidden(trackers.get(k), ids)) hidden[k] = System.nanoTime() - start;
        }
        if (unreachable == NEVER && isUnreachable(observers.get(0), victimAddress)) unreachable = now - start;
        if (removed == NEVER && !isMember(observers.get(0), victimAddress)) removed = now - start;
        if (now >= nextStats) {
          for (int k = 0; k < 2; k++) {
            if (deleted[k] == NEVER && ownedBy(trackers.get(k), victimId) == 0) deleted[k] = System.nanoTime() - start;
          }
          nextStats = now + TimeUnit.MILLISECONDS.toNanos(100);
        }
        Thread.sleep(2);
      }
      TrackerBenchmark.progress(Stats.fmt("  run %d: unreachable after %s, removed after %s; hidden %s / %s, deleted %s / %s (observer 1 / 2)",
          run, show(unreachable), show(removed), show(hidden[0]), show(hidden[1]), show(deleted[0]), show(deleted[1])));
      int oversized = (int) victimOutput.stream().filter(l -> l.contains("OversizedPayloadException")).count();
      return new Result(hidden, deleted, unreachable, removed, oversized);
    } finally {
      if (victim != null) {
        victim.destroyForcibly();
        victim.waitFor(10, TimeUnit.SECONDS);
        CHILDREN.remove(victim);
      }
      for (ActorSystem<Void> o : observers) o.terminate();
      for (ActorSystem<Void> o : observers) {
        try {
          o.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
          TrackerBenchmark.progress("  observer did not terminate within 30 s: " + e);
        }
      }
    }
  }

  static String show(long nanos) {
    return nanos == NEVER ? "never (bound reached)" : Stats.seconds(nanos);
  }

  private static Process startVictim(Address seed, int sessions, int subscriptions) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(CHILD_JVM_FLAGS);
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(CrashVictimNode.class.getName());
    cmd.add(seed.toString());
    cmd.add("0");
    cmd.add(Integer.toString(sessions));
    cmd.add(Integer.toString(subscriptions));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().put("PHANTOM_LOG_LEVEL", "WARN");
    Process p = pb.start();
    CHILDREN.add(p);
    return p;
  }

  /** Copies the child's output to ours (prefixed) and queues each line. */
  private static BlockingQueue<String> pump(Process p, String prefix, List<String> all) {
    BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    Thread t = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) {
          System.out.println(prefix + line);
          lines.add(line);
          all.add(line);
        }
      } catch (Exception ignored) {
        // the child was killed
      }
    }, "victim-output");
    t.setDaemon(true);
    t.start();
    return lines;
  }

  private static String awaitReady(Process p, BlockingQueue<String> lines, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      String line = lines.poll(100, TimeUnit.MILLISECONDS);
      if (line != null && line.startsWith("READY ")) return line.substring(6).trim();
      if (line != null && line.startsWith("FAILED")) throw new IllegalStateException("victim: " + line);
      if (line == null && !p.isAlive()) throw new IllegalStateException("victim exited with " + p.exitValue() + " before READY");
    }
    throw new IllegalStateException("victim not READY within " + timeout);
  }

  private static long upCount(ActorSystem<?> system) {
    return StreamSupport.stream(Cluster.get(system).state().getMembers().spliterator(), false)
        .filter(m -> m.status() == MemberStatus.up())
        .count();
  }

  private static boolean isUnreachable(ActorSystem<?> system, String address) {
    for (Member m : Cluster.get(system).state().getUnreachable()) if (m.address().toString().equals(address)) return true;
    return false;
  }

  private static boolean isMember(ActorSystem<?> system, String address) {
    for (Member m : Cluster.get(system).state().getMembers()) if (m.address().toString().equals(address)) return true;
    return false;
  }

  private static boolean allHidden(SessionTracker t, List<String> ids) {
    for (String id : ids) if (t.getSession(id).isPresent()) return false;
    return true;
  }

  private static int ownedBy(SessionTracker t, String owner) {
    try {
      TrackerStats s = t.tracker().stats(false).toCompletableFuture().get(5, TimeUnit.SECONDS);
      return s.entriesByOwner().getOrDefault(owner, 0);
    } catch (Exception e) {
      throw new IllegalStateException("tracker.tracker().stats(false) did not answer within 5 s", e);
    }
  }
}
