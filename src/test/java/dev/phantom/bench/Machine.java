package dev.phantom.bench;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** What the benchmark ran on. */
final class Machine {
  private Machine() {}

  static String cpus() {
    String nproc = run("nproc");
    String model = firstLine(Path.of("/proc/cpuinfo"), "model name");
    return (nproc.isEmpty() ? Runtime.getRuntime().availableProcessors() : nproc) + " CPUs (nproc)"
        + (model.isEmpty() ? "" : ", " + model.substring(model.indexOf(':') + 1).trim());
  }

  static String memTotal() {
    String line = firstLine(Path.of("/proc/meminfo"), "MemTotal");
    if (line.isEmpty()) return "MemTotal unknown";
    long kb = Long.parseLong(line.replaceAll("[^0-9]", ""));
    return Stats.fmt("MemTotal %,d kB (%.1f GiB)", kb, kb / 1024.0 / 1024.0);
  }

  static String java() {
    return System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version")
        + " (" + System.getProperty("java.vendor") + "), java.version " + System.getProperty("java.version");
  }

  static String os() {
    String pretty = firstLine(Path.of("/etc/os-release"), "PRETTY_NAME=");
    return System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch")
        + (pretty.isEmpty() ? "" : " (" + pretty.substring(pretty.indexOf('=') + 1).replace("\"", "") + ")");
  }

  static String trackerSettings() {
    Config c = ConfigFactory.load();
    String budget = c.hasPath("phantom.tracker.max-updates-per-tick")
        ? Stats.fmt("max-updates-per-tick = %d per update-tick = %s, ", c.getInt("phantom.tracker.max-updates-per-tick"),
            c.getString("phantom.tracker.update-tick"))
        : "";
    return Stats.fmt("shards-per-topic = %d, %stracker replicator gossip-interval = %s, notify-subscribers-interval = %s, "
            + "sweep-interval = %s, sweep-grace = %s; Artery maximum-frame-size = %,d B.",
        c.getInt("phantom.tracker.shards-per-topic"), budget,
        c.getString("phantom.tracker.distributed-data.gossip-interval"),
        c.getString("phantom.tracker.distributed-data.notify-subscribers-interval"),
        c.getString("phantom.tracker.sweep-interval"),
        c.getString("phantom.tracker.sweep-grace"),
        c.getBytes("akka.remote.artery.advanced.maximum-frame-size"));
  }

  private static String firstLine(Path file, String prefix) {
    try {
      List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
      for (String l : lines) if (l.startsWith(prefix)) return l;
    } catch (Exception ignored) {
      // not Linux, or not readable
    }
    return "";
  }

  private static String run(String command) {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        String line = r.readLine();
        p.waitFor();
        return line == null ? "" : line.trim();
      }
    } catch (Exception e) {
      return "";
    }
  }
}
