package dev.phantom.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.phantom.mcp.Json;
import dev.phantom.testkit.McpTestClient;
import dev.phantom.testkit.McpTestClient.Event;
import dev.phantom.testkit.McpTestClient.EventStream;
import dev.phantom.tracker.HomedIds;
import dev.phantom.testkit.Watchdog;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

/**
 * The multi-process cluster test (issue 5), run by {@code scripts/cluster-test} against the cluster of
 * {@code scripts/cluster start 3} (three node JVMs behind nginx round robin without session affinity):
 *
 * <ol>
 *   <li>MCP flows through the proxy: initialize, GET stream, a tool call with a form elicitation
 *       answered through the proxy, a list_changed and a resources/updated delivery on the GET stream,
 *       a POST stream cut mid-tool and resumed with GET + Last-Event-ID; then, with no wait between an
 *       acknowledgement on one node and a trigger on another (round robin), 200 rounds of
 *       resources/subscribe + update_resource and 50 rounds per kind of initialize + notify_list_changed,
 *       each counted on the session's GET stream: missed and duplicated notifications must both be 0;
 *   <li>SIGKILL of node 3 while clients keep calling tools and receiving notifications through the
 *       proxy: prints the time until the dead node's entries are hidden and deleted on the survivors;
 *       asserts that the sessions homed on the survivors lost no notification and no call (a call whose
 *       connection was on the killed node is retried, as any client does, and counted), and that the
 *       sessions homed on the killed node get 404 and work again after a new initialize;
 *   <li>restart of node 3: a new incarnation rejoins, serves sessions, and none of the old entries
 *       come back;
 *   <li>SIGTERM of node 2: it closes the SSE connections it serves (the client resumes elsewhere and
 *       misses nothing), its Tracker entries are gone from the others within seconds (not after
 *       failure detection), its sessions get 404; then it is restarted.
 * </ol>
 *
 * Every wait is bounded; exit status 0 when every check held, 1 otherwise.
 */
public final class ClusterScenario {
  private static final long T0 = System.nanoTime();
  private static final Duration STEP = Duration.ofSeconds(30);
  private static final Duration NODE_LOSS = Duration.ofSeconds(90);
  private static final int VICTIM = 3;
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private final URI proxy;
  private final Path clusterScript;
  private final List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());

  private ClusterScenario(URI proxy, Path clusterScript) {
    this.proxy = proxy;
    this.clusterScript = clusterScript;
  }

  public static void main(String[] args) {
    URI proxy = URI.create(args.length > 0 ? args[0] : "http://127.0.0.1:8080/mcp");
    Path script = Path.of(args.length > 1 ? args[1] : "scripts/cluster");
    ClusterScenario scenario = new ClusterScenario(proxy, script);
    Watchdog.start("CLUSTER TEST", 10, 1, false);
    try {
      scenario.flowsThroughTheProxy();
      scenario.nodeLoss();
      scenario.gracefulShutdown();
    } catch (Throwable e) {
      scenario.failures.add("aborted: " + e);
      e.printStackTrace(System.out);
    }
    System.out.println();
    if (scenario.failures.isEmpty()) {
      log("CLUSTER TEST PASSED");
      System.exit(0);
    }
    log("CLUSTER TEST FAILED: " + scenario.failures.size() + " check(s)");
    scenario.failures.forEach(f -> System.out.println("  - " + f));
    System.exit(1);
  }

  // ------------------------------------------------------------------ 1. flows through the proxy

  private void flowsThroughTheProxy() {
    log("== MCP flows through the proxy " + proxy);
    McpTestClient client = new McpTestClient(proxy).initialize();
    McpTestClient operator = new McpTestClient(proxy).initialize();
    log("initialize: session " + client.sessionId() + " homed on node " + homeNode(client.sessionId()));
    try (EventStream get = client.get(null)) {
      check(get.status == 200, "GET stream opened (" + get.status + ")");

      try (EventStream call = client.stream(McpTestClient.toolCall(client.nextId(), "form_elicitation", null))) {
        Event ask = until(call, m -> "elicitation/create".equals(m.path("method").asText()));
        ObjectNode answer = Json.object().put("jsonrpc", "2.0");
        answer.set("id", ask.data().get("id"));
        answer.putObject("result").put("action", "accept").putObject("content").put("name", "Ada");
        int status = client.post(answer, Map.of()).status();
        check(status == 202, "elicitation answer POSTed through the proxy accepted (" + status + ")");
        String text = resultText(until(call, ClusterScenario::isResponse).data());
        check(text.startsWith("action=accept") && text.contains("Ada"), "the tool got the answer: " + text);
      }

      check(resultText(operator.callTool("add_dynamic_tool", null)).contains("on 3 node(s)"), "dynamic tool added on 3 nodes");
      until(get, m -> "notifications/tools/list_changed".equals(m.path("method").asText()));
      check(true, "tools/list_changed delivered on the GET stream");

      JsonNode subscribed = client.call("resources/subscribe", Json.object().put("uri", "test://watched-resource"));
      check(subscribed.has("result"), "resources/subscribe");
      operator.callTool("update_watched_resource", null);
      Event updated = until(get, m -> "notifications/resources/updated".equals(m.path("method").asText()));
      check("test://watched-resource".equals(updated.data().path("params").path("uri").asText()),
          "resources/updated delivered on the GET stream");
    }

    ObjectNode args = Json.object().put("steps", 6).put("delayMs", 300);
    String lastEventId;
    ObjectNode slow = McpTestClient.toolCall(client.nextId(), "slow_progress", args);
    ((ObjectNode) slow.get("params")).putObject("_meta").put("progressToken", "cut");
    try (EventStream call = client.stream(slow)) {
      until(call, m -> "notifications/progress".equals(m.path("method").asText()));
      lastEventId = call.lastEventId();
    }
    check(lastEventId != null, "a POST stream's event id before the cut");
    try (EventStream resumed = client.get(lastEventId)) {
      check(resumed.status == 200, "resumed through the proxy with Last-Event-ID (" + resumed.status + ")");
      String text = resultText(until(resumed, ClusterScenario::isResponse).data());
      check(text.equals("counted to 6"), "the cut tool's result arrived on the resumed stream: " + text);
    }
    operator.callTool("remove_dynamic_tool", null);

    noWaitDelivery();
  }

  /** Rounds of a no-wait delivery step stop after this many misses (each costs up to {@link McpTestClient#WAIT}). */
  private static final int MAX_MISSES = 3;
  /** What {@link #nextNotification} returns when the stream ended. */
  private static final JsonNode STREAM_ENDED = Json.object().put("method", "<the stream ended>");

  /**
   * An acknowledgement on one node and the event triggered right after it on another, through the proxy
   * with no wait in between (round robin puts consecutive requests on different nodes): every round must
   * reach the session's GET stream (opened through the proxy too) exactly once.
   */
  private void noWaitDelivery() {
    log("== no wait between an acknowledgement on one node and a trigger on another, through the proxy");
    subscribeThenUpdate(200);
    List<String> kinds = List.of("tools", "prompts", "resources");
    for (int i = 0; i < kinds.size(); i++) initializeThenListChanged(kinds.get(i), kinds.get((i + 1) % kinds.size()), 50);
  }

  /** One session: per round, resources/subscribe to a fresh URI, then at once update_resource for it. */
  private void subscribeThenUpdate(int rounds) {
    McpTestClient session = new McpTestClient(proxy).initialize();
    String prefix = "test://notes/e2e-";
    int done = 0;
    int missed = 0;
    int duplicates = 0;
    int late = 0;
    int other = 0;
    List<String> problems = new ArrayList<>();
    Set<String> delivered = new HashSet<>();
    try (EventStream get = session.get(null)) {
      check(get.status == 200, "GET stream of the subscribing session opened through the proxy (" + get.status + ")");
      boolean ended = get.status != 200;
      for (int round = 0; round < rounds && missed < MAX_MISSES && !ended; round++) {
        done++;
        String uri = prefix + round;
        String text;
        try {
          JsonNode subscribed = session.call("resources/subscribe", Json.object().put("uri", uri));
          if (!subscribed.has("result")) problems.add("round " + round + ": resources/subscribe answered " + subscribed);
          text = resultText(session.callTool("update_resource", Json.object().put("uri", uri)));
        } catch (AssertionError | RuntimeException failed) {
          text = "call failed: " + failed.getMessage();
        }
        boolean countOk = "notified 1".equals(text);
        if (!countOk) problems.add("round " + round + ": update_resource answered \"" + text + "\"");
        boolean got = false;
        long deadline = System.nanoTime() + McpTestClient.WAIT.toNanos();
        while (!got) {
          JsonNode n = nextNotification(get, deadline);
          if (n == null) break;
          if (n == STREAM_ENDED) {
            problems.add("round " + round + ": the GET stream ended");
            ended = true;
            break;
          }
          String nUri = n.path("params").path("uri").asText();
          if (!"notifications/resources/updated".equals(n.path("method").asText()) || !nUri.startsWith(prefix)) {
            other++;
            problems.add("round " + round + ": unexpected " + n);
          } else if (nUri.equals(uri)) {
            got = true;
            delivered.add(uri);
          } else if (delivered.add(nUri)) {
            late++;
            problems.add("round " + round + ": " + nUri + " arrived late (after its round)");
          } else {
            duplicates++;
            problems.add("round " + round + ": " + nUri + " again (duplicate)");
          }
        }
        if (!got) problems.add("round " + round + ": no resources/updated for " + uri + " within " + McpTestClient.WAIT.toSeconds() + " s");
        if (!got || !countOk) missed++;
        // within phantom.mcp.limits.max-subscriptions-per-session
        try {
          session.call("resources/unsubscribe", Json.object().put("uri", uri));
        } catch (AssertionError | RuntimeException failed) {
          problems.add("round " + round + ": resources/unsubscribe failed: " + failed.getMessage());
        }
      }
      // a duplicate of the last rounds would come before a sentinel list change
      if (!ended) {
        session.callTool("notify_list_changed", Json.object().put("kind", "prompts"));
        long deadline = System.nanoTime() + McpTestClient.WAIT.toNanos();
        while (true) {
          JsonNode n = nextNotification(get, deadline);
          if (n == null || n == STREAM_ENDED) {
            problems.add("the sentinel prompts/list_changed did not arrive");
            other++;
            break;
          }
          if ("notifications/prompts/list_changed".equals(n.path("method").asText())) break;
          String nUri = n.path("params").path("uri").asText();
          if (!"notifications/resources/updated".equals(n.path("method").asText()) || !nUri.startsWith(prefix)) {
            other++;
            problems.add("before the sentinel: unexpected " + n);
          } else if (delivered.add(nUri)) {
            late++;
            problems.add("before the sentinel: " + nUri + " arrived late (after its round)");
          } else {
            duplicates++;
            problems.add("before the sentinel: " + nUri + " again (duplicate)");
          }
        }
      }
    } finally {
      check(session.delete().status() == 200, "the subscribing session deleted through the proxy");
    }
    log(String.format("subscribe-then-update through the proxy: %d rounds, %d missed, %d duplicates (%d late, %d other)",
        done, missed, duplicates, late, other));
    problems.stream().limit(10).forEach(p -> log("  " + p));
    check(done == rounds && missed == 0, "subscribe-then-update: every round notified exactly its subscriber (" + missed
        + " missed in " + done + " of " + rounds + " rounds)");
    check(duplicates == 0, "subscribe-then-update: no duplicate (" + duplicates + ")");
    check(other == 0 && late == 0, "subscribe-then-update: nothing unexpected on the GET stream (" + late + " late, " + other + " other)");
  }

  /**
   * Per round a fresh session: initialize, its GET stream, at once notify_list_changed {@code kind}, then
   * a sentinel list change of {@code sentinelKind} that must be the very next notification; DELETE.
   * Other sessions may exist: the count must be at least 1, not exactly 1.
   */
  private void initializeThenListChanged(String kind, String sentinelKind, int rounds) {
    String expected = "notifications/" + kind + "/list_changed";
    String sentinel = "notifications/" + sentinelKind + "/list_changed";
    int done = 0;
    int missed = 0;
    int duplicates = 0;
    int other = 0;
    int deleteFailures = 0;
    int minNotified = Integer.MAX_VALUE;
    int maxNotified = 0;
    List<String> problems = new ArrayList<>();
    for (int round = 0; round < rounds && missed < MAX_MISSES; round++) {
      done++;
      McpTestClient session;
      try {
        session = new McpTestClient(proxy).initialize();
      } catch (AssertionError | RuntimeException failed) {
        missed++;
        problems.add("round " + round + ": initialize failed: " + failed.getMessage());
        continue;
      }
      try (EventStream get = session.get(null)) {
        if (get.status != 200) {
          missed++;
          problems.add("round " + round + ": GET stream got " + get.status + " " + get.body);
          continue;
        }
        int notified = notifiedCount(session, kind);
        if (notified >= 0) {
          minNotified = Math.min(minNotified, notified);
          maxNotified = Math.max(maxNotified, notified);
        }
        boolean countOk = notified >= 1;
        if (!countOk) problems.add("round " + round + ": notify_list_changed " + kind + " reached " + notified);
        boolean got = false;
        long deadline = System.nanoTime() + McpTestClient.WAIT.toNanos();
        while (!got) {
          JsonNode n = nextNotification(get, deadline);
          if (n == null || n == STREAM_ENDED) break;
          if (expected.equals(n.path("method").asText())) got = true;
          else {
            other++;
            problems.add("round " + round + ": unexpected " + n);
          }
        }
        if (!got) {
          missed++;
          problems.add("round " + round + ": no " + kind + "/list_changed within " + McpTestClient.WAIT.toSeconds() + " s");
          continue;
        }
        if (!countOk) missed++;
        // exactly once: the sentinel is the next notification
        boolean sentinelGot = false;
        notifiedCount(session, sentinelKind);
        deadline = System.nanoTime() + McpTestClient.WAIT.toNanos();
        while (!sentinelGot) {
          JsonNode n = nextNotification(get, deadline);
          if (n == null || n == STREAM_ENDED) break;
          String method = n.path("method").asText();
          if (sentinel.equals(method)) sentinelGot = true;
          else if (expected.equals(method)) {
            duplicates++;
            problems.add("round " + round + ": " + kind + "/list_changed again (duplicate)");
          } else {
            other++;
            problems.add("round " + round + ": unexpected " + n);
          }
        }
        if (!sentinelGot) {
          other++;
          problems.add("round " + round + ": the sentinel " + sentinelKind + "/list_changed did not arrive");
        }
      } catch (AssertionError | RuntimeException failed) {
        missed++;
        problems.add("round " + round + ": " + failed);
      } finally {
        try {
          if (session.delete().status() != 200) deleteFailures++;
        } catch (AssertionError | RuntimeException failed) {
          deleteFailures++;
        }
      }
    }
    log(String.format("initialize-then-%s/list_changed through the proxy: %d rounds, %d missed, %d duplicates "
        + "(%d other; notified %s sessions; %d DELETE failures)", kind, done, missed, duplicates, other,
        maxNotified == 0 ? "no" : minNotified + ".." + maxNotified, deleteFailures));
    problems.stream().limit(10).forEach(p -> log("  " + p));
    check(done == rounds && missed == 0, "initialize-then-" + kind + "/list_changed: every fresh session notified (" + missed
        + " missed in " + done + " of " + rounds + " rounds)");
    check(duplicates == 0, "initialize-then-" + kind + "/list_changed: no duplicate (" + duplicates + ")");
    check(other == 0 && deleteFailures == 0, "initialize-then-" + kind + "/list_changed: nothing unexpected (" + other
        + " other, " + deleteFailures + " DELETE failures)");
  }

  /** Calls notify_list_changed; the N of its "notified N", or -1 when it answered anything else. */
  private static int notifiedCount(McpTestClient session, String kind) {
    String text = resultText(session.callTool("notify_list_changed", Json.object().put("kind", kind)));
    if (!text.startsWith("notified ")) return -1;
    try {
      return Integer.parseInt(text.substring("notified ".length()).trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /**
   * The next JSON-RPC notification (a message with a method) on the stream before the deadline: null when
   * none came in time, {@link #STREAM_ENDED} when the stream ended.
   */
  private static JsonNode nextNotification(EventStream s, long deadline) {
    while (true) {
      long left = deadline - System.nanoTime();
      if (left <= 0) return null;
      Event e;
      try {
        e = s.next(Duration.ofNanos(left));
      } catch (AssertionError timeout) {
        return null;
      }
      if (e == null) return STREAM_ENDED;
      if (e.data() != null && e.data().has("method")) return e.data();
    }
  }

  // ------------------------------------------------------------------ 2. node loss and restart

  /** A session homed on a survivor, kept busy through the proxy while node 3 dies. */
  private final class Busy {
    final McpTestClient client;
    final AtomicInteger calls = new AtomicInteger();
    final AtomicInteger retries = new AtomicInteger();
    final AtomicInteger notifications = new AtomicInteger();
    final AtomicInteger reconnects = new AtomicInteger();
    final ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
    volatile String lastEventId;
    /** Where the GET stream is first opened: the proxy, or straight on the node that will be killed. */
    final URI firstGet;

    Busy(McpTestClient client, URI firstGet) {
      this.client = client;
      this.firstGet = firstGet;
    }

    /** Reads the GET stream, resuming through the proxy with Last-Event-ID whenever the connection drops. */
    void listen(AtomicBoolean running) {
      EventStream get = new McpTestClient(firstGet).adopt(client).get(null);
      if (get.status != 200) problems.add("GET stream: " + get.status);
      long deadline = System.nanoTime() + NODE_LOSS.multipliedBy(2).toNanos();
      while (running.get() && System.nanoTime() < deadline) {
        Event e;
        try {
          e = get.next(Duration.ofSeconds(1));
        } catch (AssertionError quiet) {
          continue; // nothing this second
        }
        if (e == null) { // the connection ended: resume elsewhere
          get.close();
          get = resume(deadline);
          if (get == null) return;
          reconnects.incrementAndGet();
          continue;
        }
        if (e.id() != null) lastEventId = e.id();
        if (e.data() != null && "notifications/prompts/list_changed".equals(e.data().path("method").asText())) {
          notifications.incrementAndGet();
        }
      }
      get.close();
    }

    private EventStream resume(long deadline) {
      while (System.nanoTime() < deadline) {
        try {
          EventStream s = client.get(lastEventId);
          if (s.status == 200) return s;
          problems.add("resume got " + s.status + " " + s.body);
          s.close();
        } catch (AssertionError transport) {
          // the proxy could not reach a node this instant
        }
        pause(200);
      }
      problems.add("could not resume the GET stream");
      return null;
    }

    /** Calls echo through the proxy in a loop; a call cut by the kill is retried with a new id. */
    void call(AtomicBoolean running) {
      int n = 0;
      while (running.get()) {
        String text = client.sessionId().substring(0, 8) + "-" + n;
        boolean done = false;
        for (int attempt = 0; attempt < 20 && !done; attempt++) {
          if (attempt > 0) {
            retries.incrementAndGet();
            pause(200);
          }
          try (EventStream s = client.stream(McpTestClient.toolCall(client.nextId(), "echo", Json.object().put("text", text)))) {
            if (s.status == 404) {
              problems.add("survivor's session got 404");
              return;
            }
            if (s.status != 200) continue;
            Event r = until(s, ClusterScenario::isResponse);
            if (!text.equals(resultText(r.data()))) problems.add("echo answered " + r.data());
            done = true;
          } catch (RuntimeException | AssertionError cut) {
            // the connection died with the node that served it
          }
        }
        if (!done) {
          problems.add("call " + text + " never succeeded");
          return;
        }
        calls.incrementAndGet();
        n++;
        pause(50);
      }
    }
  }

  private void nodeLoss() throws Exception {
    log("== SIGKILL of node " + VICTIM + " while clients keep working through the proxy");
    JsonNode victimAdmin = admin(VICTIM);
    String victim = victimAdmin.path("self").asText();
    log("node " + VICTIM + " is " + victim);

    List<McpTestClient> survivorSessions = new ArrayList<>();
    List<McpTestClient> victimSessions = new ArrayList<>();
    McpTestClient operator = null;
    for (int i = 0; i < 60 && (survivorSessions.size() < 4 || victimSessions.size() < 2 || operator == null); i++) {
      McpTestClient c = new McpTestClient(proxy).initialize();
      int home = homeNode(c.sessionId());
      if (home == VICTIM) {
        if (victimSessions.size() < 2) victimSessions.add(c);
      } else if (operator == null) {
        operator = c;
      } else if (survivorSessions.size() < 4) {
        survivorSessions.add(c);
      }
    }
    check(survivorSessions.size() == 4 && victimSessions.size() == 2 && operator != null,
        "sessions homed on every node (through round robin)");
    // Half of them have their GET connection on the node that will be killed (the session lives on a
    // survivor): the events sent while it dies must reach them after they resume through the proxy.
    URI onVictim = URI.create("http://127.0.0.1:808" + VICTIM + "/mcp");
    List<Busy> busy = new ArrayList<>();
    for (int i = 0; i < survivorSessions.size(); i++) busy.add(new Busy(survivorSessions.get(i), i % 2 == 0 ? proxy : onVictim));
    AtomicBoolean running = new AtomicBoolean(true);
    List<Thread> threads = new ArrayList<>();
    for (Busy b : busy) {
      threads.add(daemon("listen", () -> b.listen(running)));
      threads.add(daemon("call", () -> b.call(running)));
    }
    // every GET stream open before the notifications start
    await(STEP, () -> busy.stream().allMatch(b -> b.lastEventId != null), "GET streams of the busy sessions primed");
    for (McpTestClient v : victimSessions) check(v.call("ping", null).has("result"), "victim-homed session works before the kill");

    // The notifier posts to a survivor directly: through the proxy one POST in three is served by the
    // node about to be killed, and a call in flight there is lost with it (the busy sessions count and
    // retry those); the notifications themselves are what this phase checks.
    McpTestClient notifier = operator.via(URI.create("http://127.0.0.1:8081/mcp"));
    AtomicInteger sent = new AtomicInteger();
    Thread notifications = daemon("notify", () -> {
      while (running.get()) {
        try {
          JsonNode r = notifier.callTool("notify_prompt_list", null);
          if (resultText(r).startsWith("notified")) sent.incrementAndGet();
          else failures.add("notify_prompt_list failed: " + r);
        } catch (AssertionError | RuntimeException cut) {
          failures.add("notify_prompt_list call failed: " + cut); // not expected: home and serving node survive
        }
        pause(250);
      }
    });
    pause(1500);

    long killed = System.nanoTime();
    runScript("kill", Integer.toString(VICTIM));
    log("SIGKILL sent to node " + VICTIM);
    long[] hidden = new long[3];
    long[] deleted = new long[3];
    long deadline = killed + NODE_LOSS.toNanos();
    while (System.nanoTime() < deadline && (hidden[1] == 0 || hidden[2] == 0 || deleted[1] == 0 || deleted[2] == 0)) {
      for (int k = 1; k <= 2; k++) {
        JsonNode a = adminOrNull(k);
        if (a == null) continue;
        int owned = a.path("entriesByOwner").path(victim).asInt(0);
        boolean gone = !a.path("entriesByOwner").has(victim);
        long now = System.nanoTime() - killed;
        if (hidden[k] == 0 && (gone || (owned > 0 && a.path("hiddenEntries").asInt() >= owned))) hidden[k] = now;
        if (deleted[k] == 0 && gone) deleted[k] = now;
      }
      pause(100);
    }
    for (int k = 1; k <= 2; k++) {
      log(String.format("node %d: the killed node's entries hidden after %s, deleted after %s", k, secs(hidden[k]), secs(deleted[k])));
    }
    check(hidden[1] > 0 && hidden[2] > 0, "the killed node's entries hidden on both survivors");
    check(deleted[1] > 0 && deleted[2] > 0, "the killed node's entries deleted on both survivors");
    System.out.println(String.format("MEASURED hidden_after_kill_s=%s deleted_after_kill_s=%s",
        secs(Math.max(hidden[1], hidden[2])), secs(Math.max(deleted[1], deleted[2]))));

    for (McpTestClient v : victimSessions) {
      await(STEP, () -> v.post(McpTestClient.request(v.nextId(), "ping", null), Map.of()).status() == 404,
          "victim-homed session " + v.sessionId() + " gets 404");
    }
    McpTestClient again = new McpTestClient(proxy).initialize();
    check(again.callTool("echo", Json.object().put("text", "again")).path("result").path("content").path(0).path("text")
        .asText().equals("again"), "a re-initialized session works");

    pause(1500); // keep the load running a little after the deletion
    running.set(false);
    for (Thread t : threads) t.join(TimeUnit.SECONDS.toMillis(40));
    notifications.join(TimeUnit.SECONDS.toMillis(40));
    int expected = sent.get();
    // the last notifications may still be on their way
    await(STEP, () -> busy.stream().allMatch(b -> b.notifications.get() >= expected), "every notification arrived");
    int calls = 0;
    int retries = 0;
    int reconnects = 0;
    for (Busy b : busy) {
      calls += b.calls.get();
      retries += b.retries.get();
      reconnects += b.reconnects.get();
      check(b.problems.isEmpty(), "session " + b.client.sessionId() + " had no problem " + b.problems);
      check(b.notifications.get() == expected, "session " + b.client.sessionId() + " received " + b.notifications.get()
          + " of " + expected + " prompts/list_changed (no loss, no duplicate)");
    }
    check(calls > 0, "survivor-homed sessions kept calling");
    check(reconnects >= 2, "the GET streams connected on the killed node resumed through the proxy (" + reconnects + ")");
    System.out.println(String.format("MEASURED survivor_calls=%d retried_after_cut=%d lost=0 notifications_per_session=%d "
        + "get_stream_resumptions=%d", calls, retries, expected, reconnects));

    log("== restart of node " + VICTIM);
    runScript("restart", Integer.toString(VICTIM));
    JsonNode reborn = admin(VICTIM);
    String rebornSelf = reborn.path("self").asText();
    check(!rebornSelf.equals(victim) && rebornSelf.startsWith(victim.substring(0, victim.indexOf('#'))),
        "node " + VICTIM + " restarted as a new incarnation: " + rebornSelf);
    for (int k = 1; k <= 3; k++) {
      int node = k;
      await(STEP, () -> {
        JsonNode a = adminOrNull(node);
        if (a == null) return false;
        int up = 0;
        for (JsonNode m : a.path("members")) if ("Up".equals(m.path("status").asText()) && m.path("reachable").asBoolean()) up++;
        return up == 3 && !a.path("entriesByOwner").has(victim);
      }, "node " + node + " sees 3 members Up and none of the old incarnation's entries");
    }
    McpTestClient onReborn = new McpTestClient(URI.create("http://127.0.0.1:808" + VICTIM + "/mcp")).initialize();
    check(homeNode(onReborn.sessionId()) == VICTIM, "a session homed on the restarted node");
    McpTestClient throughProxy = new McpTestClient(proxy).adopt(onReborn);
    for (int i = 0; i < 3; i++) {
      String text = "reborn-" + i;
      check(resultText(throughProxy.callTool("echo", Json.object().put("text", text))).equals(text),
          "the restarted node's session served through the proxy (call " + i + ")");
    }
  }

  // ------------------------------------------------------------------ 3. graceful shutdown

  private void gracefulShutdown() throws Exception {
    int leaving = 2;
    log("== SIGTERM of node " + leaving);
    String leaver = admin(leaving).path("self").asText();
    McpTestClient kept = new McpTestClient(URI.create("http://127.0.0.1:8081/mcp")).initialize();
    McpTestClient ending = new McpTestClient(URI.create("http://127.0.0.1:808" + leaving + "/mcp")).initialize();
    McpTestClient operator = new McpTestClient(URI.create("http://127.0.0.1:8083/mcp")).initialize();
    EventStream get = new McpTestClient(URI.create("http://127.0.0.1:808" + leaving + "/mcp")).adopt(kept).get(null);
    check(get.status == 200, "GET stream of a node-1 session connected on node " + leaving);
    get.next(); // priming
    String lastEventId = get.lastEventId();
    await(STEP, () -> adminOrNull(1) != null && adminOrNull(1).path("entriesByOwner").has(leaver),
        "node 1 sees node " + leaving + "'s entries");

    long started = System.nanoTime();
    Process term = new ProcessBuilder("bash", clusterScript.toString(), "term", Integer.toString(leaving)).inheritIO().start();
    long streamClosed = 0;
    long entriesGone = 0;
    long deadline = started + STEP.toNanos();
    while (System.nanoTime() < deadline && (streamClosed == 0 || entriesGone == 0)) {
      if (streamClosed == 0 && get.endsWithin(Duration.ofMillis(100))) streamClosed = System.nanoTime() - started;
      JsonNode a = adminOrNull(1);
      if (entriesGone == 0 && a != null && !a.path("entriesByOwner").has(leaver)) entriesGone = System.nanoTime() - started;
    }
    get.close();
    log("node " + leaving + "'s SSE connection closed after " + secs(streamClosed) + "; its entries gone on node 1 after "
        + secs(entriesGone));
    System.out.println(String.format("MEASURED graceful_stream_closed_s=%s graceful_entries_gone_s=%s",
        secs(streamClosed), secs(entriesGone)));
    check(streamClosed > 0, "the leaving node closed the SSE connection it served");
    check(entriesGone > 0, "the leaving node's entries gone from node 1 within " + STEP.toSeconds() + " s");
    check(term.waitFor(90, TimeUnit.SECONDS) && term.exitValue() == 0, "node " + leaving + " exited after SIGTERM");

    check(resultText(operator.callTool("notify_prompt_list", null)).startsWith("notified"), "a notification after the stop");
    try (EventStream resumed = new McpTestClient(proxy).adopt(kept).get(lastEventId)) {
      check(resumed.status == 200, "the GET stream resumed through the proxy (" + resumed.status + ")");
      until(resumed, m -> "notifications/prompts/list_changed".equals(m.path("method").asText()));
      check(true, "the notification sent after the stop arrived on the resumed stream");
    }
    await(STEP, () -> new McpTestClient(proxy).adopt(ending)
        .post(McpTestClient.request(ending.nextId(), "ping", null), Map.of()).status() == 404,
        "the stopped node's session gets 404 through the proxy");

    runScript("restart", Integer.toString(leaving));
    await(STEP, () -> {
      JsonNode a = adminOrNull(leaving);
      if (a == null) return false;
      int up = 0;
      for (JsonNode m : a.path("members")) if ("Up".equals(m.path("status").asText())) up++;
      return up == 3;
    }, "node " + leaving + " rejoined: 3 members Up");
  }

  // ------------------------------------------------------------------ helpers

  /** The node (1..3) whose incarnation minted this session id, from the nodes' admin views. */
  private int homeNode(String sessionId) {
    String uid = Long.toUnsignedString(HomedIds.homeUid(sessionId).orElseThrow(), 16);
    for (int k = 1; k <= 3; k++) {
      JsonNode a = adminOrNull(k);
      if (a != null && a.path("self").asText().endsWith("#" + uid)) return k;
    }
    throw new IllegalStateException("no node has uid " + uid);
  }

  private static JsonNode admin(int node) {
    JsonNode a = adminOrNull(node);
    if (a == null) throw new IllegalStateException("node " + node + " has no admin view");
    return a;
  }

  private static JsonNode adminOrNull(int node) {
    try {
      // scripts/cluster gives node K its admin listener on 127.0.0.1:910K (the MCP port serves no /admin).
      HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:910" + node + "/admin/tracker"))
          .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200 ? Json.parse(r.body()) : null;
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  private void runScript(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("bash", clusterScript.toString()));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).inheritIO().start();
    if (!p.waitFor(3, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new IllegalStateException("scripts/cluster " + String.join(" ", args) + " did not finish in 3 minutes");
    }
    if (p.exitValue() != 0) throw new IllegalStateException("scripts/cluster " + String.join(" ", args) + " exited " + p.exitValue());
  }

  private static Event until(EventStream s, Predicate<JsonNode> wanted) {
    long deadline = System.nanoTime() + STEP.toNanos();
    while (System.nanoTime() < deadline) {
      Event e = s.next(STEP);
      if (e == null) throw new IllegalStateException("the stream ended before the expected message");
      if (e.data() != null && wanted.test(e.data())) return e;
    }
    throw new IllegalStateException("no expected message within " + STEP);
  }

  private static boolean isResponse(JsonNode m) {
    return !m.has("method") && (m.has("result") || m.has("error"));
  }

  private static String resultText(JsonNode response) {
    return response.path("result").path("content").path(0).path("text").asText();
  }

  private void check(boolean ok, String what) {
    log((ok ? "ok   " : "FAIL ") + what);
    if (!ok) failures.add(what);
  }

  private void await(Duration bound, BooleanSupplier condition, String what) {
    long deadline = System.nanoTime() + bound.toNanos();
    while (System.nanoTime() < deadline) {
      if (condition.getAsBoolean()) {
        check(true, what);
        return;
      }
      pause(200);
    }
    check(false, what + " (not within " + bound.toSeconds() + " s)");
  }

  private static Thread daemon(String name, Runnable body) {
    Thread t = new Thread(body, name);
    t.setDaemon(true);
    t.start();
    return t;
  }

  private static String secs(long nanos) {
    return nanos == 0 ? "never" : String.format("%.2f s", nanos / 1e9);
  }

  private static void pause(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void log(String line) {
    System.out.println(String.format("[%6.1fs] %s", (System.nanoTime() - T0) / 1e9, line));
    System.out.flush();
  }
}
