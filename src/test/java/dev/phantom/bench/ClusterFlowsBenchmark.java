package dev.phantom.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.phantom.mcp.Json;
import dev.phantom.testkit.McpTestClient;
import dev.phantom.testkit.McpTestClient.Event;
import dev.phantom.testkit.McpTestClient.EventStream;
import dev.phantom.testkit.Watchdog;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * Latency of the cross-node flows (issue 4) on a running cluster of separate JVMs (started by {@code
 * scripts/bench-cluster-flows} with {@code scripts/cluster start 3}); the client talks to each node
 * directly so that every step lands where the benchmark says. Prints one line per figure and writes
 * the section "Cross-node flows (issue 4)" of {@code docs/benchmarks.md}.
 *
 * <p>Measurements: (a) form elicitation with the session homed on node A, {@code tools/call} on B and
 * the client's answer POSTed to C (roles rotate over the three nodes), and the same with every step on
 * the session's home node for comparison; (b) list_changed fan-out to 1,000 sessions homed round-robin
 * on the three nodes, each with its GET stream open on another node than its home.
 *
 * <p>Options: {@code --nodes=URL,URL,URL} (default the ports of {@code scripts/cluster}); {@code
 * --quick} uses small sizes (a smoke test, docs not written); {@code --no-docs}; {@code --docs=PATH}.
 */
public final class ClusterFlowsBenchmark {
  private static final long T0 = System.nanoTime();
  private static final int RUNS = 3;
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final String HEADING = "## Cross-node flows (issue 4)";

  private final List<URI> nodes;
  private final int elicitations;
  private final int fanoutSessions;
  private final Report report = new Report(HEADING, ClusterFlowsBenchmark.class, "package");

  ClusterFlowsBenchmark(List<URI> nodes, boolean quick) {
    this.nodes = nodes;
    this.elicitations = quick ? 30 : 500;
    this.fanoutSessions = quick ? 60 : 1000;
  }

  public static void main(String[] args) throws Exception {
    boolean quick = false;
    boolean docs = true;
    Path docsFile = Path.of("docs/benchmarks.md");
    List<URI> nodes = List.of(URI.create("http://127.0.0.1:8081/mcp"), URI.create("http://127.0.0.1:8082/mcp"),
        URI.create("http://127.0.0.1:8083/mcp"));
    for (String a : args) {
      if (a.equals("--quick")) quick = true;
      else if (a.equals("--no-docs")) docs = false;
      else if (a.startsWith("--docs=")) docsFile = Path.of(a.substring(7));
      else if (a.startsWith("--nodes=")) nodes = Arrays.stream(a.substring(8).split(",")).map(URI::create).toList();
      else {
        System.err.println("usage: ClusterFlowsBenchmark [--nodes=URL,URL,URL] [--quick] [--no-docs] [--docs=PATH]");
        System.exit(2);
      }
    }
    if (nodes.size() != 3) throw new IllegalArgumentException("three nodes are needed, got " + nodes);
    if (quick) docs = false;
    Thread watchdog = Watchdog.start("BENCHMARK", 15, 3, false);

    String date = OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.SECONDS).format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);
    progress("Cross-node flows benchmark " + date + (quick ? " (QUICK: small sizes, not for reporting)" : ""));
    progress("machine: " + Machine.cpus() + "; " + Machine.memTotal() + "; nodes " + nodes);
    ClusterFlowsBenchmark bench = new ClusterFlowsBenchmark(nodes, quick);
    bench.elicitation();
    bench.fanout();
    String total = Stats.seconds(System.nanoTime() - T0);
    progress("done in " + total);
    if (docs) {
      String command = System.getenv().getOrDefault("PHANTOM_BENCH_COMMAND", "scripts/bench-cluster-flows");
      List<String> setup = List.of(
          "Cluster: `scripts/cluster start 3`: three node JVMs (`" + String.join(" ", "java",
              System.getenv().getOrDefault("CLUSTER_JAVA_OPTS", ""), "-jar target/phantom-akka.jar").replaceAll(" +", " ")
              + "`, the deployable `application.conf`) on 127.0.0.1:8081-8083, on the same 2 cores as this client JVM",
          "Client: `java.net.http.HttpClient` (HTTP/1.1), one reader thread per open SSE response; "
              + "an event's time is when the client parsed it");
      bench.report.writeSection(docsFile, bench.report.section(command, date, total, setup));
      progress("wrote section '" + HEADING + "' of " + docsFile.toAbsolutePath());
    }
    watchdog.interrupt();
    System.exit(0);
  }

  // ------------------------------------------------------------------ (a) elicitation

  /** One elicitation: nanoseconds from tools/call sent to the request read, and from the answer sent to the result read. */
  record Elicited(long requestNanos, long answerToResultNanos) {}

  private void elicitation() {
    List<McpTestClient> sessions = new ArrayList<>();
    for (URI home : nodes) sessions.add(new McpTestClient(home).initialize());
    for (boolean spread : new boolean[] {true, false}) {
      String variant = spread ? "home A, tools/call on B, answer on C" : "every step on the home node";
      runElicitations(sessions, spread, elicitations); // warm-up
      List<Double> p50 = new ArrayList<>();
      List<Double> p99 = new ArrayList<>();
      List<Double> requestP50 = new ArrayList<>();
      List<Double> answerP99 = new ArrayList<>();
      for (int run = 0; run < RUNS; run++) {
        List<Elicited> samples = runElicitations(sessions, spread, elicitations);
        long[] answer = samples.stream().mapToLong(Elicited::answerToResultNanos).toArray();
        long[] request = samples.stream().mapToLong(Elicited::requestNanos).toArray();
        long[] roundTrip = samples.stream().mapToLong(e -> e.requestNanos() + e.answerToResultNanos()).toArray();
        p50.add((double) Stats.percentile(roundTrip, 0.50));
        p99.add((double) Stats.percentile(roundTrip, 0.99));
        requestP50.add((double) Stats.percentile(request, 0.50));
        answerP99.add((double) Stats.percentile(answer, 0.99));
        progress(Stats.fmt("elicitation (%s) run %d: round trip p50 %s p99 %s; request p50 %s; answer->result p50 %s p99 %s",
            variant, run + 1, Stats.ms(Stats.percentile(roundTrip, 0.5)), Stats.ms(Stats.percentile(roundTrip, 0.99)),
            Stats.ms(Stats.percentile(request, 0.5)), Stats.ms(Stats.percentile(answer, 0.5)),
            Stats.ms(Stats.percentile(answer, 0.99))));
      }
      String id = spread ? "a1" : "a2";
      report.add(id, "elicitation round trip p50, " + variant, Stats.ms(Stats.median(p50)), runs(p50), "", null);
      report.add(id, "elicitation round trip p99, " + variant, Stats.ms(Stats.median(p99)), runs(p99),
          spread ? "≤ 20 ms (issue 6)" : "", spread ? Stats.median(p99) <= 20e6 : null);
      report.add(id, "of which tools/call → elicitation/create read, p50, " + variant, Stats.ms(Stats.median(requestP50)),
          runs(requestP50), "", null);
      report.add(id, "of which answer POST → tool result read, p99, " + variant, Stats.ms(Stats.median(answerP99)),
          runs(answerP99), "", null);
    }
    report.note("a: the demo tool `form_elicitation`; " + elicitations + " calls per run after as many for warm-up, run"
        + " one after another (no concurrency); the three roles rotate over the three nodes. Round trip = (tools/call"
        + " sent → elicitation/create read on the POST's SSE stream) + (answer POSTed → tool result read on that stream),"
        + " i.e. excluding the client's think time. Spread: the answer's POST is served on C, found to belong to a request"
        + " of the session homed on A and handed to the tool running on B.");
  }

  List<Elicited> runElicitations(List<McpTestClient> sessions, boolean spread, int count) {
    List<Elicited> out = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      int home = i % 3;
      McpTestClient session = sessions.get(home);
      URI callNode = nodes.get(spread ? (home + 1) % 3 : home);
      URI answerNode = nodes.get(spread ? (home + 2) % 3 : home);
      long sent = System.nanoTime();
      try (EventStream s = new McpTestClient(callNode).adopt(session)
          .stream(McpTestClient.toolCall(session.nextId(), "form_elicitation", null))) {
        Event ask = until(s, m -> "elicitation/create".equals(m.path("method").asText()));
        ObjectNode answer = Json.object().put("jsonrpc", "2.0");
        answer.set("id", ask.data().get("id"));
        answer.putObject("result").put("action", "accept").putObject("content").put("name", "bench");
        long answered = System.nanoTime();
        int status = new McpTestClient(answerNode).adopt(session).post(answer, Map.of()).status();
        if (status != 202) throw new IllegalStateException("the answer got HTTP " + status);
        Event result = until(s, m -> !m.has("method") && m.has("result"));
        String text = result.data().path("result").path("content").path(0).path("text").asText();
        if (!text.startsWith("action=accept")) throw new IllegalStateException("unexpected result " + result.data());
        out.add(new Elicited(ask.receivedNanos() - sent, result.receivedNanos() - answered));
      }
    }
    return out;
  }

  // ------------------------------------------------------------------ (b) list_changed fan-out

  private void fanout() throws Exception {
    int n = fanoutSessions;
    progress("fan-out: initializing " + n + " sessions and opening their GET streams");
    List<McpTestClient> sessions = new ArrayList<>();
    List<EventStream> streams = new ArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(16);
    try {
      List<Future<McpTestClient>> created = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        URI home = nodes.get(i % 3);
        created.add(pool.submit(() -> new McpTestClient(home).initialize()));
      }
      for (Future<McpTestClient> f : created) sessions.add(f.get(2, TimeUnit.MINUTES));
      for (int i = 0; i < n; i++) {
        EventStream get = new McpTestClient(nodes.get((i + 1) % 3)).adopt(sessions.get(i)).get(null);
        if (get.status != 200) throw new IllegalStateException("GET stream got HTTP " + get.status + ": " + get.body);
        streams.add(get);
      }
      McpTestClient operator = new McpTestClient(nodes.get(2)).initialize();
      List<Double> toolLast = new ArrayList<>();
      List<Double> toolMedian = new ArrayList<>();
      List<Double> promptLast = new ArrayList<>();
      List<Double> promptMedian = new ArrayList<>();
      int duplicates = 0;
      for (int round = 0; round <= RUNS; round++) { // round 0 is the warm-up
        String tool = round % 2 == 0 ? "add_dynamic_tool" : "remove_dynamic_tool";
        long[] tools = deliver(operator, tool, streams, "notifications/tools/list_changed");
        // the next message on every stream must be this one, not a second tools/list_changed
        long[] prompts = deliver(operator, "notify_prompt_list", streams, null);
        duplicates += (int) Arrays.stream(prompts).filter(t -> t < 0).count();
        if (round == 0) continue;
        long[] promptTimes = Arrays.stream(prompts).filter(t -> t >= 0).toArray();
        toolLast.add((double) Arrays.stream(tools).max().orElseThrow());
        toolMedian.add((double) Stats.percentile(tools, 0.5));
        promptLast.add((double) Arrays.stream(promptTimes).max().orElseThrow());
        promptMedian.add((double) Stats.percentile(promptTimes, 0.5));
        progress(Stats.fmt("fan-out round %d: %s → last of %d sessions %s (median %s); notify_prompt_list → last %s (median %s)",
            round, tool, n, Stats.ms(toolLast.get(round - 1)), Stats.ms(toolMedian.get(round - 1)),
            Stats.ms(promptLast.get(round - 1)), Stats.ms(promptMedian.get(round - 1))));
      }
      report.add("b1", "tools/list_changed (tool added/removed on every node) to " + n + " sessions: last delivered",
          Stats.ms(Stats.median(toolLast)), runs(toolLast), "", null);
      report.add("b1", "tools/list_changed to " + n + " sessions: median session", Stats.ms(Stats.median(toolMedian)),
          runs(toolMedian), "", null);
      report.add("b2", "prompts/list_changed (Tracker.notifyPromptList) to " + n + " sessions: last delivered",
          Stats.ms(Stats.median(promptLast)), runs(promptLast), "", null);
      report.add("b2", "prompts/list_changed to " + n + " sessions: median session", Stats.ms(Stats.median(promptMedian)),
          runs(promptMedian), "", null);
      report.add("b3", "duplicate list_changed deliveries (all rounds)", Integer.toString(duplicates), "", "0", duplicates == 0);
      report.note("b: " + n + " sessions initialized round-robin on the 3 nodes (their home), each with its GET stream open"
          + " on the next node; a separate session on the third node calls the demo tool. Time from the tools/call POST"
          + " until the client has read the notification on each GET stream. b1: `add_dynamic_tool`/`remove_dynamic_tool`"
          + " change the tool on every node (`McpTransport.applyEverywhere`) and then announce once; b2: `notify_prompt_list`"
          + " (one DistributedPubSub publish, local fan-out per node). " + RUNS + " rounds after one warm-up round.");
    } finally {
      streams.forEach(EventStream::close);
      pool.shutdownNow();
    }
  }

  /**
   * Calls {@code tool} and returns, per stream, the nanoseconds until the notification was read; with
   * {@code method} null, expects the next message of each stream to be prompts/list_changed and gives
   * -1 for a stream whose next message was something else (a duplicate of an earlier announcement).
   */
  private long[] deliver(McpTestClient operator, String tool, List<EventStream> streams, String method) {
    long sent = System.nanoTime();
    JsonNode result = operator.callTool(tool, null);
    if (result.has("error") || result.path("result").path("isError").asBoolean()) {
      throw new IllegalStateException(tool + " failed: " + result);
    }
    long[] out = new long[streams.size()];
    for (int i = 0; i < streams.size(); i++) {
      EventStream s = streams.get(i);
      if (method != null) {
        out[i] = until(s, m -> method.equals(m.path("method").asText())).receivedNanos() - sent;
      } else {
        Event next = until(s, m -> m.has("method"));
        boolean prompt = "notifications/prompts/list_changed".equals(next.data().path("method").asText());
        if (!prompt) until(s, m -> "notifications/prompts/list_changed".equals(m.path("method").asText()));
        out[i] = prompt ? next.receivedNanos() - sent : -1;
      }
    }
    return out;
  }

  private static Event until(EventStream s, Predicate<JsonNode> wanted) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (System.nanoTime() < deadline) {
      Event e = s.next(WAIT);
      if (e == null) throw new IllegalStateException("the stream ended before the expected message");
      if (e.data() != null && wanted.test(e.data())) return e;
    }
    throw new IllegalStateException("no expected message within " + WAIT);
  }

  private static String runs(List<Double> nanos) {
    return String.join(", ", nanos.stream().map(Stats::ms).toList());
  }

  private static void progress(String line) {
    System.out.println(Stats.fmt("[%6.1fs] %s", (System.nanoTime() - T0) / 1e9, line));
    System.out.flush();
  }
}
