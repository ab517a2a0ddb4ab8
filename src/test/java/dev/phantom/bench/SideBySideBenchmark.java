package dev.phantom.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.phantom.mcp.Json;
import dev.phantom.testkit.McpTestClient;
import dev.phantom.testkit.Watchdog;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Our node side by side with a server on the official MCP Java SDK 2.1.0 and with the bare akka-http
 * ceiling (issue 6), measured the same way in the same run, on 127.0.0.1. Run by {@code bench/run},
 * which builds everything first. Each server is started, measured and stopped here:
 *
 * <ul>
 *   <li>tools/call of the echo tool with wrk ({@code bench/wrk/tools-call.lua}) at 1, 16 and 64
 *       connections, after one warm-up run: requests/s and p50/p99/p99.9, median of 3 runs;
 *   <li>session creation (initialize + initialized, 16 connections, {@code bench/wrk/sessions.lua});
 *   <li>heap after GC per idle session with an open GET stream, 5,000 sessions (the server JVM's own
 *       heap figures via {@code jcmd GC.heap_info}, not RSS);
 *   <li>on our three-node cluster: tools/call through the nginx proxy, a tool-list change announced
 *       to 10,000 sessions spread over the three nodes, and the cross-node elicitation round trip.
 * </ul>
 *
 * Options: {@code --quick} (short runs, small sizes, docs not written), {@code --only=a,b,...} with
 * the target names {@code phantom,sdk,sdk-immediate,bare,cluster} ({@code cluster-flows}: the cluster's
 * fan-out and elicitation only, without tools/call through the proxy), {@code --no-docs}.
 */
public final class SideBySideBenchmark {
  static final String JVM_FLAGS = "-Xms1g -Xmx2g -XX:+UseG1GC";
  /**
   * Our node keeps its sessions until they idle out, like the SDK, but refuses more than
   * max-sessions-per-node (20,000 by default): the session-creation rate is measured past that, so the
   * limit is lifted for the benchmark (the SDK has none). PHANTOM_BENCH_OPTS adds JVM options (experiments).
   */
  static final List<String> PHANTOM_FLAGS = java.util.stream.Stream.concat(
          java.util.stream.Stream.of("-Dphantom.mcp.limits.max-sessions-per-node=100000000"),
          java.util.Arrays.stream(System.getenv().getOrDefault("PHANTOM_BENCH_OPTS", "").split(" ")).filter(o -> !o.isBlank()))
      .toList();
  private static final long T0 = System.nanoTime();
  private static final int RUNS = 3;
  /** The fan-out size measured when 10,000 sessions fail. */
  private static final int FALLBACK_FANOUT = 3_000;
  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();
  private static final Pattern RESULT = Pattern.compile("RESULT (.*)");

  private final boolean quick;
  private final int seconds;
  private final Report report = new Report("## Side by side with the MCP Java SDK (issue 6)", SideBySideBenchmark.class,
      "package");
  private int wrkRuns;
  /** Median tools/call rate per target and connection count, for the ratio table. */
  private final Map<String, Map<Integer, Double>> rates = new LinkedHashMap<>();

  private SideBySideBenchmark(boolean quick) {
    this.quick = quick;
    this.seconds = quick ? 3 : 10;
  }

  /** A server under test: how to start it, where it answers, and what it supports. */
  private record Target(String key, String name, List<String> command, Map<String, String> env, URI endpoint,
      boolean mcp) {}

  public static void main(String[] args) throws Exception {
    boolean quick = false;
    boolean docs = true;
    List<String> only = new ArrayList<>();
    for (String a : args) {
      if (a.equals("--quick")) quick = true;
      else if (a.equals("--no-docs")) docs = false;
      else if (a.startsWith("--only=")) only.addAll(List.of(a.substring(7).split(",")));
      else {
        System.err.println("usage: SideBySideBenchmark [--quick] [--no-docs] [--only=phantom,sdk,sdk-immediate,bare,cluster,cluster-flows]");
        System.exit(2);
      }
    }
    if (quick || !only.isEmpty()) docs = false;
    Path cp = Path.of("target/bench-classpath.txt");
    SideBySideBenchmark bench = new SideBySideBenchmark(quick);
    Thread watchdog = Watchdog.start("BENCHMARK", 60, 3, false);
    String date = OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.SECONDS).format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);
    progress("Side-by-side benchmark " + date + (quick ? " (QUICK: not for reporting)" : ""));
    progress("machine: " + Machine.cpus() + "; " + Machine.memTotal() + "; java " + Machine.java());

    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String testCp = "target/classes:target/test-classes:" + Files.readString(cp).trim();
    // The marker lets bench/run stop a server this JVM could not stop (killed meanwhile).
    List<String> flags = concat(List.of(JVM_FLAGS.split(" ")), List.of("-Dphantom.bench.server=true"));
    List<Target> targets = List.of(
        new Target("phantom", "Phantom (1 node)", concat(List.of(java), flags, PHANTOM_FLAGS, List.of("-jar", "target/phantom-akka.jar")),
            Map.of("PHANTOM_HTTP_PORT", "8091", "PHANTOM_CLUSTER_PORT", "0", "PHANTOM_DEMO_ENABLED", "true"),
            URI.create("http://127.0.0.1:8091/mcp"), true),
        new Target("sdk", "MCP Java SDK 2.1.0 (defaults)", concat(List.of(java), flags,
            List.of("-jar", "bench/sdk-server/target/sdk-echo-server.jar", "--port", "8092")), Map.of(),
            URI.create("http://127.0.0.1:8092/mcp"), true),
        new Target("sdk-immediate", "MCP Java SDK 2.1.0 (immediateExecution)", concat(List.of(java), flags,
            List.of("-jar", "bench/sdk-server/target/sdk-echo-server.jar", "--port", "8092", "--immediate")), Map.of(),
            URI.create("http://127.0.0.1:8092/mcp"), true),
        new Target("bare", "bare akka-http, fixed result (ceiling)", concat(List.of(java), flags,
            List.of("-cp", testCp, "dev.phantom.bench.BareAkkaHttpServer", "8093")), Map.of(),
            URI.create("http://127.0.0.1:8093/mcp"), false));
    for (Target t : targets) {
      if (!only.isEmpty() && !only.contains(t.key())) continue;
      try {
        bench.measure(t);
      } catch (Exception | AssertionError e) {
        bench.report.error("t", t.name(), e);
        e.printStackTrace(System.out);
      }
    }
    if (only.isEmpty() || only.contains("cluster") || only.contains("cluster-flows")) {
      try {
        bench.cluster(only.isEmpty() || only.contains("cluster"));
      } catch (Exception | AssertionError e) {
        bench.report.error("c", "three-node cluster", e);
        e.printStackTrace(System.out);
      }
    }
    bench.ratios();
    String total = Stats.seconds(System.nanoTime() - T0);
    progress("done in " + total);
    System.out.println();
    System.out.println("=== Figures ===");
    for (Report.Row r : bench.report.rows()) {
      System.out.println(r.id() + "  " + r.figure() + ": " + r.result() + (r.runs().isEmpty() ? "" : "  [" + r.runs() + "]")
          + (r.target().isEmpty() ? "" : "  target " + r.target() + ", met: " + r.met()));
    }
    if (docs) {
      String command = System.getenv().getOrDefault("PHANTOM_BENCH_COMMAND", "bash bench/run");
      List<String> setup = List.of(
          "Every server JVM: `java " + JVM_FLAGS + "` (the cluster's three nodes too, via CLUSTER_JAVA_OPTS); "
              + "load from wrk " + wrkVersion() + " (`-t1` for 1 connection, else `-t2`), " + bench.seconds
              + " s per run, on the same 2 cores as the server",
          "Java SDK server: `bench/sdk-server` (io.modelcontextprotocol.sdk:mcp 2.1.0, its Streamable HTTP servlet transport on "
              + "embedded Tomcat 11.0.27), the same echo tool; the SDK answers every request with SSE",
          "Our node answers requests with SSE too (priming event, the result, end of stream)");
      bench.report.writeSection(Path.of("docs/benchmarks.md"), bench.report.section(command, date, total, setup));
      progress("wrote docs/benchmarks.md");
    }
    watchdog.interrupt();
    System.exit(0);
  }

  // ------------------------------------------------------------------ one server

  private void measure(Target t) throws Exception {
    progress("== " + t.name());
    Process server = start(t);
    try {
      String session = t.mcp() ? newSession(t.endpoint()) : "";
      String check = echoOnce(t.endpoint(), session);
      if (!check.contains("hello bench")) throw new IllegalStateException("echo check failed: " + check);
      wrk(t.endpoint(), session, 16, "tools-call.lua"); // warm-up
      for (int connections : new int[] {1, 16, 64}) {
        List<Map<String, String>> runs = new ArrayList<>();
        for (int run = 0; run < RUNS; run++) runs.add(wrk(t.endpoint(), session, connections, "tools-call.lua"));
        recordCalls("t", t, connections, runs);
      }
      if (t.mcp()) {
        wrkSessions(t.endpoint()); // warm-up
        List<Double> created = new ArrayList<>();
        for (int run = 0; run < RUNS; run++) created.add(Double.parseDouble(wrkSessions(t.endpoint()).get("sessions_per_s")));
        report.add("s", "sessions created per second (initialize + initialized, 16 connections), " + t.name(),
            Stats.rate(Stats.median(created)), String.join(", ", created.stream().map(Stats::rate).toList()), "", null);
        if (!t.key().equals("sdk-immediate")) heapPerSession(t, server.pid());
      }
    } finally {
      stop(server);
    }
  }

  private void recordCalls(String id, Target t, int connections, List<Map<String, String>> runs) {
    List<Double> rps = runs.stream().map(r -> Double.parseDouble(r.get("rps"))).toList();
    double p50 = Stats.median(runs.stream().map(r -> Double.parseDouble(r.get("p50_us"))).toList());
    double p99 = Stats.median(runs.stream().map(r -> Double.parseDouble(r.get("p99_us"))).toList());
    double p999 = Stats.median(runs.stream().map(r -> Double.parseDouble(r.get("p999_us"))).toList());
    long bad = runs.stream().mapToLong(r -> Long.parseLong(r.get("bad")) + Long.parseLong(r.get("non2xx"))
        + Long.parseLong(r.get("errors"))).sum();
    double median = Stats.median(rps);
    rates.computeIfAbsent(t.key(), k -> new LinkedHashMap<>()).put(connections, median);
    report.add(id, "tools/call, " + connections + " connection" + (connections == 1 ? "" : "s") + ", " + t.name(),
        Stats.fmt("%s; p50 %.2f ms, p99 %.2f ms, p99.9 %.2f ms%s", Stats.rate(median), p50 / 1000, p99 / 1000, p999 / 1000,
            bad == 0 ? "" : "; " + bad + " failed or wrong answers"),
        String.join(", ", rps.stream().map(Stats::rate).toList()), "", null);
  }

  // ------------------------------------------------------------------ heap per idle session

  private void heapPerSession(Target t, long pid) throws Exception {
    int n = quick ? 500 : 5000;
    long before = heapUsedAfterGc(pid);
    List<InputStream> streams = java.util.Collections.synchronizedList(new ArrayList<>());
    ExecutorService pool = Executors.newFixedThreadPool(16);
    try {
      List<Future<String>> sessions = new ArrayList<>();
      for (int i = 0; i < n; i++) sessions.add(pool.submit(() -> newSession(t.endpoint())));
      List<CompletableFuture<HttpResponse<InputStream>>> gets = new ArrayList<>();
      for (Future<String> s : sessions) {
        HttpRequest get = HttpRequest.newBuilder(t.endpoint()).header("Accept", "text/event-stream")
            .header("Mcp-Session-Id", s.get(2, TimeUnit.MINUTES)).header("MCP-Protocol-Version", "2025-11-25").GET().build();
        gets.add(HTTP.sendAsync(get, HttpResponse.BodyHandlers.ofInputStream()));
      }
      // The SDK sends no status line or header on a GET stream until it has an event to write, so
      // "open" is counted from the server's side: established connections to its port.
      int port = t.endpoint().getPort();
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
      int open = 0;
      while (System.nanoTime() < deadline && (open = establishedTo(port)) < n) Thread.sleep(200);
      if (open < n) throw new IllegalStateException(open + " of " + n + " GET connections established");
      Thread.sleep(2000); // let the server finish handling the last requests before the heap is read
      for (CompletableFuture<HttpResponse<InputStream>> g : gets) {
        HttpResponse<InputStream> r = g.getNow(null);
        if (r != null) {
          streams.add(r.body());
          if (r.statusCode() != 200) throw new IllegalStateException("GET stream answered " + r.statusCode());
        }
      }
      gets.forEach(g -> g.thenAccept(r -> streams.add(r.body())));
      long after = heapUsedAfterGc(pid);
      double perSession = (after - before) / (double) n;
      report.add("h", "heap after GC per idle session with an open GET stream (" + n + " sessions), " + t.name(),
          Stats.bytes(perSession), "", t.key().equals("phantom") ? "≤ 32 KiB" : "",
          t.key().equals("phantom") ? perSession <= 32 * 1024 : null);
      progress(Stats.fmt("heap: %s before, %s after %d sessions with GET streams: %s per session", Stats.bytes(before),
          Stats.bytes(after), n, Stats.bytes(perSession)));
    } finally {
      for (InputStream s : List.copyOf(streams)) {
        try {
          s.close();
        } catch (IOException ignored) {
          // closing
        }
      }
      pool.shutdownNow();
    }
  }

  /** Established TCP connections to 127.0.0.1:{@code port} (from {@code ss}). */
  private static int establishedTo(int port) throws Exception {
    String out = run(List.of("ss", "-Htn", "state", "established", "( dport = :" + port + " )"));
    return (int) out.lines().filter(l -> !l.isBlank()).count();
  }

  /** Heap in use after two full collections, from the server JVM's own figures. */
  private static long heapUsedAfterGc(long pid) throws Exception {
    run(List.of("jcmd", Long.toString(pid), "GC.run"));
    run(List.of("jcmd", Long.toString(pid), "GC.run"));
    String info = run(List.of("jcmd", Long.toString(pid), "GC.heap_info"));
    Matcher m = Pattern.compile("total \\d+K, used (\\d+)K").matcher(info);
    if (!m.find()) throw new IllegalStateException("no heap figure in: " + info);
    return Long.parseLong(m.group(1)) * 1024;
  }

  // ------------------------------------------------------------------ the cluster

  private void cluster(boolean calls) throws Exception {
    progress("== Phantom, three nodes behind nginx");
    // The admin view tells when the tracker's replicas agree (the fan-out waits for that).
    // (scripts/cluster enables it on 127.0.0.1:910K for node K, and the demo server.)
    Map<String, String> env = Map.of("CLUSTER_JAVA_OPTS", JVM_FLAGS);
    run(List.of("bash", "scripts/cluster", "stop"), Map.of());
    run(List.of("bash", "scripts/cluster", "start", "3"), env);
    try {
      URI proxy = URI.create("http://127.0.0.1:8080/mcp");
      Target t = new Target("cluster", "Phantom, 3 nodes behind nginx", List.of(), Map.of(), proxy, true);
      String session = newSession(proxy);
      // Three JVMs compile on the same 2 cores: warm them up longer than a single node.
      for (int i = 0; calls && i < 3; i++) wrk(proxy, session, 16, "tools-call.lua");
      for (int connections : calls ? new int[] {16, 64} : new int[0]) {
        List<Map<String, String>> runs = new ArrayList<>();
        for (int run = 0; run < RUNS; run++) runs.add(wrk(proxy, session, connections, "tools-call.lua"));
        recordCalls("c", t, connections, runs);
      }
      List<URI> nodes = List.of(URI.create("http://127.0.0.1:8081/mcp"), URI.create("http://127.0.0.1:8082/mcp"),
          URI.create("http://127.0.0.1:8083/mcp"));
      elicitation(nodes);
      try {
        fanout(nodes, quick ? 300 : 10_000);
      } catch (Exception | AssertionError e) {
        // Report the failure, then measure a size these machines sustain, on a fresh cluster.
        report.error("c", "tool list change announced to " + (quick ? 300 : 10_000) + " sessions over 3 nodes", e);
        e.printStackTrace(System.out);
        run(List.of("bash", "scripts/cluster", "stop"), Map.of());
        run(List.of("bash", "scripts/cluster", "start", "3"), env);
        fanout(nodes, quick ? 100 : FALLBACK_FANOUT);
      }
    } finally {
      run(List.of("bash", "scripts/cluster", "stop"), Map.of());
    }
  }

  /** One GET stream that records when each tools/list_changed line arrived. */
  private static final class Listener implements Flow.Subscriber<String> {
    volatile long lastNotified;
    volatile int notifications;
    volatile boolean open;
    /** How the stream ended, if it did (for the report of a missed notification). */
    volatile String ended = "never subscribed";

    public void onSubscribe(Flow.Subscription s) {
      open = true;
      ended = null;
      s.request(Long.MAX_VALUE);
    }

    public void onNext(String line) {
      if (line.startsWith("data:") && line.contains("notifications/tools/list_changed")) {
        lastNotified = System.nanoTime();
        notifications++;
      }
    }

    public void onError(Throwable t) {
      open = false;
      ended = Stats.fmt("error %s at %.1fs", t, (System.nanoTime() - T0) / 1e9);
    }

    public void onComplete() {
      open = false;
      ended = Stats.fmt("closed by the server at %.1fs", (System.nanoTime() - T0) / 1e9);
    }
  }

  private void fanout(List<URI> nodes, int n) throws Exception {
    progress("fan-out: " + n + " sessions over 3 nodes, each with its GET stream on another node than its home");
    ExecutorService pool = Executors.newFixedThreadPool(16);
    List<Listener> listeners = new ArrayList<>();
    List<CompletableFuture<HttpResponse<Void>>> gets = new ArrayList<>();
    try {
      List<Future<String>> sessions = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        URI home = nodes.get(i % 3);
        sessions.add(pool.submit(() -> newSession(home)));
      }
      // GET streams are opened at most 32 at a time (each waits for its response headers), as a crowd
      // of clients connecting over some seconds would, not as one burst of 10,000.
      java.util.concurrent.Semaphore opening = new java.util.concurrent.Semaphore(32);
      java.util.concurrent.atomic.AtomicInteger ok = new java.util.concurrent.atomic.AtomicInteger();
      java.util.concurrent.ConcurrentLinkedQueue<String> refused = new java.util.concurrent.ConcurrentLinkedQueue<>();
      for (int i = 0; i < n; i++) listeners.add(new Listener());
      // A GET refused with 503 (the node could not reach the session's home in time) is retried, as a
      // client reconnects its GET stream; at most 3 attempts each, and the retries are reported.
      List<Integer> toOpen = new ArrayList<>(java.util.stream.IntStream.range(0, n).boxed().toList());
      int retried = 0;
      for (int attempt = 1; attempt <= 3 && !toOpen.isEmpty(); attempt++) {
        if (attempt > 1) retried += toOpen.size();
        java.util.concurrent.ConcurrentLinkedQueue<Integer> unavailable = new java.util.concurrent.ConcurrentLinkedQueue<>();
        java.util.concurrent.atomic.AtomicInteger answered = new java.util.concurrent.atomic.AtomicInteger();
        for (int i : toOpen) {
          Listener l = listeners.get(i);
          HttpRequest get = HttpRequest.newBuilder(nodes.get((i + 1) % 3)).header("Accept", "text/event-stream")
              .header("Mcp-Session-Id", sessions.get(i).get(5, TimeUnit.MINUTES)).header("MCP-Protocol-Version", "2025-11-25")
              .GET().build();
          if (!opening.tryAcquire(60, TimeUnit.SECONDS)) throw new IllegalStateException("GET streams do not open");
          gets.add(HTTP.sendAsync(get, info -> {
            opening.release();
            answered.incrementAndGet();
            if (info.statusCode() == 200) {
              ok.incrementAndGet();
              return HttpResponse.BodySubscribers.fromLineSubscriber(l);
            }
            if (info.statusCode() == 503) unavailable.add(i);
            else refused.add(Integer.toString(info.statusCode()));
            return HttpResponse.BodySubscribers.discarding();
          }));
        }
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (answered.get() < toOpen.size() && System.nanoTime() < deadline) Thread.sleep(100);
        toOpen = new ArrayList<>(unavailable);
      }
      toOpen.forEach(i -> refused.add("503"));
      if (retried > 0) progress("fan-out: " + retried + " GET opens answered 503 under load and were retried");
      if (ok.get() != n) {
        Map<String, Long> byStatus = refused.stream().collect(
            java.util.stream.Collectors.groupingBy(status -> status, java.util.TreeMap::new, java.util.stream.Collectors.counting()));
        throw new IllegalStateException(ok.get() + " of " + n + " GET streams open after " + retried
            + " retries; refused (status=count): " + byStatus);
      }
      awaitReplicasAgree(nodes);
      McpTestClient operator = new McpTestClient(nodes.get(2)).initialize();
      List<Double> last = new ArrayList<>();
      for (int round = 0; round <= RUNS; round++) { // round 0: warm-up
        String tool = round % 2 == 0 ? "add_dynamic_tool" : "remove_dynamic_tool";
        int expected = round + 1;
        long sent = System.nanoTime();
        JsonNode r = operator.callTool(tool, null);
        if (r.has("error")) throw new IllegalStateException(tool + ": " + r);
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (listeners.stream().anyMatch(l -> l.notifications < expected) && System.nanoTime() < until) Thread.sleep(5);
        long missing = listeners.stream().filter(l -> l.notifications < expected).count();
        long extra = listeners.stream().filter(l -> l.notifications > expected).count();
        if (missing > 0 || extra > 0) {
          // Where the missing ones are: still connected or not, and by home node (session i is homed on
          // node i % 3 and streams from node (i + 1) % 3).
          Map<String, Long> missingBy = java.util.stream.IntStream.range(0, n).filter(i -> listeners.get(i).notifications < expected)
              .mapToObj(i -> "home " + (8081 + i % 3) + (listeners.get(i).open ? " connected" : " disconnected: " + listeners.get(i).ended))
              .collect(java.util.stream.Collectors.groupingBy(k -> k, java.util.TreeMap::new, java.util.stream.Collectors.counting()));
          throw new IllegalStateException(missing + " sessions missed and " + extra + " got a duplicate (round " + round
              + ", the tool said: " + r.path("result").path("content").path(0).path("text").asText() + "; missing: " + missingBy + ")");
        }
        progress("fan-out round " + round + ": " + r.path("result").path("content").path(0).path("text").asText());
        double took = listeners.stream().mapToLong(l -> l.lastNotified).max().orElseThrow() - sent;
        progress(Stats.fmt("fan-out round %d (%s): the last of %d sessions had it after %s", round, tool, n, Stats.ms(took)));
        if (round > 0) last.add(took);
      }
      report.add("c", "tool list change announced to " + n + " sessions over 3 nodes: until the last client has it"
              + (retried == 0 ? "" : " (" + retried + " GET opens were answered 503 under load and retried)"),
          Stats.ms(Stats.median(last)), String.join(", ", last.stream().map(Stats::ms).toList()), "≤ 1 s",
          Stats.median(last) <= 1e9);
    } finally {
      gets.forEach(g -> g.cancel(true));
      pool.shutdownNow();
    }
  }

  /**
   * Waits (at most 2 minutes) until the three tracker replicas hold the same number of session entries
   * twice in a row, one second apart: creating 10,000 sessions and their GET streams leaves each node
   * replicating ~20,000 entries for a while, and the fan-out is measured on a settled cluster, as an
   * announcement would normally meet it. How long it took is reported.
   */
  private void awaitReplicasAgree(List<URI> nodes) throws Exception {
    long start = System.nanoTime();
    long deadline = start + TimeUnit.MINUTES.toNanos(2);
    List<Long> previous = List.of();
    while (System.nanoTime() < deadline) {
      List<Long> counts = new ArrayList<>();
      for (URI node : nodes) {
        // scripts/cluster: node K serves HTTP on 808K and its admin listener on 910K.
        URI admin = URI.create("http://127.0.0.1:" + (node.getPort() - 8080 + 9100) + "/admin/tracker");
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(admin).timeout(java.time.Duration.ofSeconds(10))
            .GET().build(), HttpResponse.BodyHandlers.ofString());
        counts.add(r.statusCode() == 200 ? Json.parse(r.body()).path("entriesByTopic").path("phantom:sessions").asLong(-1) : -1L);
      }
      if (counts.stream().distinct().count() == 1 && counts.get(0) >= 0 && counts.equals(previous)) {
        progress(Stats.fmt("fan-out: replicas agree on %d session entries after %s", counts.get(0), Stats.ms(System.nanoTime() - start)));
        return;
      }
      previous = counts;
      Thread.sleep(1000);
    }
    throw new IllegalStateException("the tracker replicas did not agree within 2 minutes: " + previous);
  }

  private void elicitation(List<URI> nodes) {
    ClusterFlowsBenchmark flows = new ClusterFlowsBenchmark(nodes, quick);
    List<McpTestClient> sessions = new ArrayList<>();
    for (URI home : nodes) sessions.add(new McpTestClient(home).initialize());
    int count = quick ? 30 : 500;
    flows.runElicitations(sessions, true, count);
    List<Double> p50 = new ArrayList<>();
    List<Double> p99 = new ArrayList<>();
    for (int run = 0; run < RUNS; run++) {
      long[] roundTrip = flows.runElicitations(sessions, true, count).stream()
          .mapToLong(e -> e.requestNanos() + e.answerToResultNanos()).toArray();
      p50.add((double) Stats.percentile(roundTrip, 0.5));
      p99.add((double) Stats.percentile(roundTrip, 0.99));
    }
    report.add("c", "cross-node elicitation round trip p50 (home A, call on B, answer on C)", Stats.ms(Stats.median(p50)),
        String.join(", ", p50.stream().map(Stats::ms).toList()), "", null);
    report.add("c", "cross-node elicitation round trip p99", Stats.ms(Stats.median(p99)),
        String.join(", ", p99.stream().map(Stats::ms).toList()), "≤ 20 ms", Stats.median(p99) <= 20e6);
  }

  // ------------------------------------------------------------------ ratios

  private void ratios() {
    Map<Integer, Double> ours = rates.get("phantom");
    if (ours == null) return;
    for (int c : new int[] {1, 16, 64}) {
      Double sdk = Math.max(rates.getOrDefault("sdk", Map.of()).getOrDefault(c, 0.0),
          rates.getOrDefault("sdk-immediate", Map.of()).getOrDefault(c, 0.0));
      Double ceiling = rates.getOrDefault("bare", Map.of()).get(c);
      Double mine = ours.get(c);
      if (mine == null) continue;
      if (sdk > 0) {
        double ratio = mine / sdk;
        report.add("r", "ours / Java SDK's faster configuration, tools/call, " + c + " connection(s)", Stats.fmt("%.2f×", ratio), "",
            c == 1 ? "" : "≥ 1.2×", c == 1 ? null : ratio >= 1.2);
      }
      if (ceiling != null && ceiling > 0) {
        double ratio = mine / ceiling;
        report.add("r", "ours / bare akka-http ceiling, tools/call, " + c + " connection(s)", Stats.fmt("%.2f×", ratio), "",
            c == 1 ? "" : "≈ 0.7×", c == 1 ? null : ratio >= 0.7);
      }
    }
  }

  // ------------------------------------------------------------------ processes and load

  private Process start(Target t) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(t.command()).redirectErrorStream(true)
        .redirectOutput(Path.of("target", "bench-" + t.key() + ".log").toFile());
    pb.environment().putAll(t.env());
    Process p = pb.start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    while (System.nanoTime() < deadline) {
      if (!p.isAlive()) throw new IllegalStateException(t.name() + " exited; see target/bench-" + t.key() + ".log");
      try {
        if (t.mcp()) newSession(t.endpoint());
        else echoOnce(t.endpoint(), "");
        progress(t.name() + " is up (pid " + p.pid() + ")");
        return p;
      } catch (Exception | AssertionError notYet) {
        Thread.sleep(300);
      }
    }
    stop(p);
    throw new IllegalStateException(t.name() + " did not come up in 90 s");
  }

  private static void stop(Process p) throws InterruptedException {
    p.destroy();
    if (!p.waitFor(30, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      p.waitFor(10, TimeUnit.SECONDS);
    }
  }

  private Map<String, String> wrk(URI endpoint, String session, int connections, String script) throws Exception {
    List<String> cmd = List.of("wrk", "-t" + (connections == 1 ? 1 : 2), "-c" + connections, "-d" + seconds + "s",
        "--timeout", "10s", "-s", "bench/wrk/" + script, endpoint.toString());
    Map<String, String> r = parse(run(cmd, Map.of("MCP_SESSION", session, "MCP_ID_BASE", Integer.toString(++wrkRuns))));
    progress(Stats.fmt("  wrk %s c=%d: %s", script, connections, r));
    return r;
  }

  private Map<String, String> wrkSessions(URI endpoint) throws Exception {
    List<String> cmd = List.of("wrk", "-t2", "-c16", "-d" + Math.max(3, seconds / 2) + "s", "--timeout", "10s",
        "-s", "bench/wrk/sessions.lua", endpoint.toString());
    Map<String, String> r = parse(run(cmd, Map.of()));
    progress("  wrk sessions c=16: " + r);
    return r;
  }

  private static Map<String, String> parse(String output) {
    Matcher m = RESULT.matcher(output);
    if (!m.find()) throw new IllegalStateException("no RESULT line in wrk output: " + output);
    Map<String, String> out = new LinkedHashMap<>();
    for (String kv : m.group(1).trim().split(" ")) {
      String[] p = kv.split("=", 2);
      out.put(p[0], p[1]);
    }
    return out;
  }

  private static String run(List<String> command) throws Exception {
    return run(command, Map.of());
  }

  private static String run(List<String> command, Map<String, String> env) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    pb.environment().putAll(env);
    Process p = pb.start();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(5, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new IllegalStateException(String.join(" ", command) + " did not finish");
    }
    String text = new String(out, StandardCharsets.UTF_8);
    if (p.exitValue() != 0) throw new IllegalStateException(String.join(" ", command) + " exited " + p.exitValue() + ": " + text);
    return text;
  }

  private static String wrkVersion() {
    try {
      String v = new String(new ProcessBuilder("wrk", "--version").redirectErrorStream(true).start().getInputStream()
          .readAllBytes(), StandardCharsets.UTF_8);
      return v.lines().findFirst().orElse("wrk").replaceAll(" Copyright.*", "");
    } catch (IOException e) {
      return "wrk";
    }
  }

  // ------------------------------------------------------------------ MCP by hand

  /** initialize + notifications/initialized; returns the session id. */
  static String newSession(URI endpoint) throws Exception {
    String init = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-11-25\","
        + "\"capabilities\":{\"elicitation\":{}},\"clientInfo\":{\"name\":\"bench\",\"version\":\"1\"}}}";
    HttpResponse<String> r = HTTP.send(post(endpoint, null, init), HttpResponse.BodyHandlers.ofString());
    String session = r.headers().firstValue("mcp-session-id").orElseThrow(() ->
        new IllegalStateException("initialize: " + r.statusCode() + " " + r.body()));
    HttpResponse<String> n = HTTP.send(post(endpoint, session, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}"),
        HttpResponse.BodyHandlers.ofString());
    if (n.statusCode() != 202) throw new IllegalStateException("initialized: " + n.statusCode() + " " + n.body());
    return session;
  }

  private static String echoOnce(URI endpoint, String session) throws Exception {
    String call = "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"tools/call\",\"params\":{\"name\":\"echo\",\"arguments\":{\"text\":\"hello bench\"}}}";
    HttpResponse<String> r = HTTP.send(post(endpoint, session.isEmpty() ? null : session, call), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) throw new IllegalStateException("tools/call: " + r.statusCode() + " " + r.body());
    return r.body();
  }

  private static HttpRequest post(URI endpoint, String session, String body) {
    HttpRequest.Builder b = HttpRequest.newBuilder(endpoint).timeout(Duration.ofSeconds(30))
        .header("Content-Type", "application/json").header("Accept", "application/json, text/event-stream")
        .POST(HttpRequest.BodyPublishers.ofString(body));
    if (session != null) b.header("Mcp-Session-Id", session).header("MCP-Protocol-Version", "2025-11-25");
    return b.build();
  }

  @SafeVarargs
  private static List<String> concat(List<String>... parts) {
    List<String> out = new ArrayList<>();
    for (List<String> p : parts) out.addAll(p);
    return out;
  }

  private static void progress(String line) {
    System.out.println(Stats.fmt("[%6.1fs] %s", (System.nanoTime() - T0) / 1e9, line));
    System.out.flush();
  }
}
