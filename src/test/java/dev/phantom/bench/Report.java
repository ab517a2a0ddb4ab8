package dev.phantom.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** The benchmark's figures, printed as they come and written as a Markdown section at the end. */
final class Report {
  private final String heading;
  private final String mainClass;
  private final String build;

  /** One row of the figures table; {@code met} is "yes", "no" or "—" (no target). */
  record Row(String id, String figure, String result, String runs, String target, String met) {}

  private final List<Row> rows = new ArrayList<>();
  private final List<String> notes = new ArrayList<>();

  /**
   * A report written under {@code heading} (a "## " line) for the benchmark {@code mainClass}, whose
   * script builds with the Maven goals {@code build}.
   */
  Report(String heading, Class<?> mainClass, String build) {
    this.heading = heading;
    this.mainClass = mainClass.getName();
    this.build = build;
  }

  String heading() {
    return heading;
  }

  synchronized void add(String id, String figure, String result, String runs, String target, Boolean met) {
    Row row = new Row(id, figure, result, runs, target, met == null ? "—" : met ? "yes" : "no");
    rows.add(row);
    System.out.println("FIGURE " + id + " | " + figure + ": " + result
        + (runs.isEmpty() ? "" : "  [runs: " + runs + "]")
        + (target.isEmpty() ? "" : "  target " + target + " met: " + row.met()));
  }

  synchronized void error(String id, String what, Throwable e) {
    String message = e.getClass().getSimpleName() + ": " + String.valueOf(e.getMessage()).replace('\n', ' ').replace('|', '/');
    rows.add(new Row(id, what, "ERROR: " + message, "", "", "no (error)"));
    System.out.println("FIGURE " + id + " | " + what + ": ERROR " + message);
  }

  synchronized void note(String text) {
    notes.add(text);
    System.out.println("NOTE " + text);
  }

  /** The rows grouped by measurement letter (a, b, ... f), in the order added within a letter. */
  synchronized List<Row> rows() {
    List<Row> sorted = new ArrayList<>(rows);
    sorted.sort(java.util.Comparator.comparing((Row r) -> r.id().substring(0, 1)));
    return sorted;
  }

  /**
   * The whole section, heading included. {@code setup} lines (Markdown, without the leading "- ") say
   * what else the reader needs to reproduce the figures (child JVMs, settings).
   */
  synchronized String section(String command, String date, String totalTime, List<String> setup) {
    StringBuilder out = new StringBuilder();
    out.append(heading).append("\n\n");
    out.append("Produced by `").append(command).append("` (the script builds with `mvn -q -DskipTests ").append(build)
        .append(" dependency:build-classpath -Dmdep.outputFile=target/bench-classpath.txt -Dmdep.includeScope=test`, ")
        .append("then runs `java -Xmx4g -XX:+UseG1GC -cp target/classes:target/test-classes:$(cat target/bench-classpath.txt) ")
        .append(mainClass).append("`; source in `src/test/java/dev/phantom/bench/`).\n\n");
    out.append("- Date: ").append(date).append("\n");
    out.append("- Machine: ").append(Machine.cpus()).append("; ").append(Machine.memTotal()).append("\n");
    out.append("- Java: ").append(Machine.java()).append("\n");
    out.append("- OS: ").append(Machine.os()).append("\n");
    out.append("- JVM flags: `").append(String.join(" ", ManagementFactory.getRuntimeMXBean().getInputArguments()))
        .append("`\n");
    for (String line : setup) out.append("- ").append(line).append("\n");
    out.append("- Total run time: ").append(totalTime).append("\n\n");
    out.append("Rates and latencies are the median of 3 runs (the 3 values follow); heap and key sizes are single measurements.\n\n");
    out.append("| # | Figure | Result | Runs | Target | Target met |\n");
    out.append("|---|---|---|---|---|---|\n");
    for (Row r : rows()) {
      out.append("| ").append(r.id()).append(" | ").append(r.figure()).append(" | ").append(r.result()).append(" | ")
          .append(r.runs().isEmpty() ? "—" : r.runs()).append(" | ").append(r.target().isEmpty() ? "—" : r.target())
          .append(" | ").append(r.met()).append(" |\n");
    }
    if (!notes.isEmpty()) {
      out.append("\nHow each figure is measured, and observations:\n\n");
      List<String> sortedNotes = new ArrayList<>(notes);
      sortedNotes.sort(java.util.Comparator.comparing((String n) -> n.length() > 2 ? n.substring(0, 3) : n));
      for (String n : sortedNotes) out.append("- ").append(n).append("\n");
    }
    return out.toString();
  }

  /** Replaces (or appends) the section in {@code file}, keeping every other section as it is. */
  void writeSection(Path file, String section) throws IOException {
    List<String> lines = Files.exists(file)
        ? Files.readAllLines(file, StandardCharsets.UTF_8)
        : List.of("# Benchmarks", "");
    int start = -1;
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).trim().equals(heading)) {
        start = i;
        break;
      }
    }
    List<String> out = new ArrayList<>();
    List<String> body = Stream.of(section.split("\n", -1)).toList();
    if (body.get(body.size() - 1).isEmpty()) body = body.subList(0, body.size() - 1);
    if (start < 0) {
      out.addAll(lines);
      while (!out.isEmpty() && out.get(out.size() - 1).isBlank()) out.remove(out.size() - 1);
      out.add("");
      out.addAll(body);
    } else {
      int end = lines.size();
      for (int i = start + 1; i < lines.size(); i++) {
        String l = lines.get(i);
        if (l.startsWith("## ") || l.startsWith("# ")) {
          end = i;
          break;
        }
      }
      out.addAll(lines.subList(0, start));
      out.addAll(body);
      if (end < lines.size()) {
        out.add("");
        out.addAll(lines.subList(end, lines.size()));
      }
    }
    if (file.getParent() != null) Files.createDirectories(file.getParent());
    Files.writeString(file, String.join("\n", out) + "\n", StandardCharsets.UTF_8);
  }
}
