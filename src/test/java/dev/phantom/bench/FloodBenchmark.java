package dev.phantom.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.phantom.mcp.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * One abusive client against one node (run by {@code bench/flood}): for {@code floodSeconds} it opens
 * sessions and resource subscriptions as fast as {@code connections} concurrent loops can (every new
 * session subscribes to fresh URIs of a resource template until refused), while a few well-behaved
 * sessions call {@code tools/call} one request at a time. Prints the bystanders' latency before and
 * during the flood, what the flood got (by status and JSON-RPC code), and the node's heap, sampled by
 * the script with jstat (the file named by {@code heapLog}).
 *
 * <p>Arguments: endpoint, node pid, flood seconds, connections, output file (markdown lines).
 */
public final class FloodBenchmark {
  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();
  private static final String ACCEPT = "application/json, text/event-stream";

  public static void main(String[] args) throws Exception {
    URI endpoint = URI.create(args[0]);
    long pid = Long.parseLong(args[1]);
    int floodSeconds = Integer.parseInt(args[2]);
    int connections = Integer.parseInt(args[3]);
    Path out = Path.of(args[4]);
    int bystanders = 4;

    List<String> sessions = new ArrayList<>();
    for (int i = 0; i < bystanders; i++) sessions.add(initialize(endpoint).sessionId);
    HeapSampler heap = new HeapSampler(pid);
    heap.start();

    Latencies before = measureBystanders(endpoint, sessions, Duration.ofSeconds(15), null);
    long heapBefore = heap.maxSinceReset();

    Flood flood = new Flood(endpoint, connections);
    heap.reset();
    flood.start();
    Latencies during = measureBystanders(endpoint, sessions, Duration.ofSeconds(floodSeconds), flood);
    flood.stop();
    long heapDuring = heap.maxSinceReset();
    heap.stopSampling();
    long rssKb = rssKb(pid);

    List<String> lines = new ArrayList<>();
    lines.add(Stats.fmt("| bystander tools/call (4 sessions, sequential) | before: p50 %s, p99 %s, %d calls, %d failed | during: p50 %s, p99 %s, %d calls, %d failed |",
        Stats.ms(before.percentile(0.50)), Stats.ms(before.percentile(0.99)), before.count(), before.failed.sum(),
        Stats.ms(during.percentile(0.50)), Stats.ms(during.percentile(0.99)), during.count(), during.failed.sum()));
    lines.add(Stats.fmt("| flood: sessions opened | %d in %d s (%s) | |", flood.sessionsOpened.sum(), floodSeconds,
        Stats.rate(flood.sessionsOpened.sum() / (double) floodSeconds)));
    lines.add(Stats.fmt("| flood: subscriptions accepted | %d | |", flood.subscribed.sum()));
    lines.add("| flood: refusals (status / JSON-RPC code: count) | " + flood.outcomes() + " | |");
    lines.add(Stats.fmt("| node heap used (jstat, max of 1 s samples) | before: %s | during: %s |",
        mib(heapBefore * 1024.0), mib(heapDuring * 1024.0)));
    lines.add(Stats.fmt("| node RSS after the flood | %s | |", mib(rssKb * 1024.0)));
    lines.forEach(System.out::println);
    Files.write(out, lines);
    System.exit(0);
  }

  private static String mib(double bytes) {
    return String.format(java.util.Locale.ROOT, "%.0f MiB", bytes / (1024 * 1024));
  }

  // ------------------------------------------------------------------ bystanders

  static final class Latencies {
    final List<Long> nanos = java.util.Collections.synchronizedList(new ArrayList<>());
    final LongAdder failed = new LongAdder();

    int count() {
      return nanos.size();
    }

    long percentile(double p) {
      long[] all;
      synchronized (nanos) {
        all = nanos.stream().mapToLong(Long::longValue).toArray();
      }
      java.util.Arrays.sort(all);
      return all.length == 0 ? 0 : Stats.percentile(all, p);
    }
  }

  private static Latencies measureBystanders(URI endpoint, List<String> sessions, Duration length, Flood flood)
      throws InterruptedException {
    Latencies latencies = new Latencies();
    long end = System.nanoTime() + length.toNanos();
    CountDownLatch done = new CountDownLatch(sessions.size());
    AtomicLong ids = new AtomicLong(1_000_000);
    for (String session : sessions) {
      Thread t = new Thread(() -> {
        try {
          while (System.nanoTime() < end) {
            long id = ids.incrementAndGet();
            String body = "{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"tools/call\",\"params\":{\"name\":\"echo\","
                + "\"arguments\":{\"text\":\"hello\"}}}";
            long start = System.nanoTime();
            try {
              HttpResponse<String> r = HTTP.send(post(endpoint, body).header("Mcp-Session-Id", session).build(),
                  HttpResponse.BodyHandlers.ofString());
              if (r.statusCode() == 200 && r.body().contains("\"hello\"")) latencies.nanos.add(System.nanoTime() - start);
              else latencies.failed.increment();
            } catch (Exception e) {
              latencies.failed.increment();
            }
          }
        } finally {
          done.countDown();
        }
      }, "bystander");
      t.start();
    }
    done.await(length.toSeconds() + 60, TimeUnit.SECONDS);
    return latencies;
  }

  // ------------------------------------------------------------------ the flood

  static final class Flood {
    private final URI endpoint;
    private final int connections;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final List<Thread> threads = new ArrayList<>();
    final LongAdder sessionsOpened = new LongAdder();
    final LongAdder subscribed = new LongAdder();
    final Map<String, LongAdder> refusals = new ConcurrentHashMap<>();
    private final AtomicLong uris = new AtomicLong();

    Flood(URI endpoint, int connections) {
      this.endpoint = endpoint;
      this.connections = connections;
    }

    void start() {
      for (int i = 0; i < connections; i++) {
        Thread t = new Thread(this::loop, "flood-" + i);
        threads.add(t);
        t.start();
      }
    }

    void stop() throws InterruptedException {
      running.set(false);
      for (Thread t : threads) t.join(30_000);
    }

    String outcomes() {
      Map<String, Long> sorted = new TreeMap<>();
      refusals.forEach((k, v) -> sorted.put(k, v.sum()));
      return sorted.isEmpty() ? "none" : sorted.toString();
    }

    private void refused(int status, String body) {
      String code = "?";
      try {
        JsonNode json = Json.parse(body.startsWith("{") ? body : sseData(body));
        code = json.path("error").path("code").asText("?");
      } catch (Exception ignored) {
        // not JSON: counted under "?"
      }
      refusals.computeIfAbsent(status + "/" + code, k -> new LongAdder()).increment();
    }

    private void loop() {
      long id = 0;
      while (running.get()) {
        try {
          Opened opened = initialize(endpoint);
          if (opened.sessionId == null) {
            refused(opened.status, opened.body);
            continue;
          }
          sessionsOpened.increment();
          // Subscribe to fresh URIs of the notes template until the session (or the node) refuses.
          while (running.get()) {
            String body = "{\"jsonrpc\":\"2.0\",\"id\":" + (++id) + ",\"method\":\"resources/subscribe\","
                + "\"params\":{\"uri\":\"test://notes/flood-" + uris.incrementAndGet() + "\"}}";
            HttpResponse<String> r = HTTP.send(post(endpoint, body).header("Mcp-Session-Id", opened.sessionId).build(),
                HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() == 200 && !r.body().contains("\"error\"")) {
              subscribed.increment();
            } else {
              refused(r.statusCode(), r.body());
              break;
            }
          }
        } catch (Exception e) {
          refusals.computeIfAbsent("io-error", k -> new LongAdder()).increment();
        }
      }
    }
  }

  // ------------------------------------------------------------------ HTTP and the node

  record Opened(String sessionId, int status, String body) {}

  static Opened initialize(URI endpoint) throws Exception {
    String body = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-11-25\","
        + "\"capabilities\":{},\"clientInfo\":{\"name\":\"flood\",\"version\":\"1\"}}}";
    HttpResponse<String> r = HTTP.send(post(endpoint, body).build(), HttpResponse.BodyHandlers.ofString());
    return new Opened(r.statusCode() == 200 ? r.headers().firstValue("mcp-session-id").orElse(null) : null,
        r.statusCode(), r.body());
  }

  private static HttpRequest.Builder post(URI endpoint, String body) {
    return HttpRequest.newBuilder(endpoint).timeout(Duration.ofSeconds(30))
        .header("Accept", ACCEPT).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body));
  }

  private static String sseData(String body) {
    for (String line : body.split("\n")) if (line.startsWith("data: ") && line.length() > 6) return line.substring(6);
    return body;
  }

  private static long rssKb(long pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
        if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    } catch (Exception ignored) {
      // the node is gone: reported as 0
    }
    return 0;
  }

  /** The node's used heap (KiB), sampled once a second with jstat; the largest sample since reset. */
  static final class HeapSampler extends Thread {
    private final long pid;
    private final AtomicLong max = new AtomicLong();
    private volatile boolean stopped;

    HeapSampler(long pid) {
      super("heap-sampler");
      setDaemon(true);
      this.pid = pid;
    }

    long maxSinceReset() {
      return max.get();
    }

    void reset() {
      max.set(0);
    }

    void stopSampling() {
      stopped = true;
    }

    @Override
    public void run() {
      while (!stopped) {
        try {
          Process p = new ProcessBuilder("jstat", "-gc", Long.toString(pid)).redirectErrorStream(true).start();
          List<String> lines = new String(p.getInputStream().readAllBytes()).lines().toList();
          p.waitFor(10, TimeUnit.SECONDS);
          if (lines.size() >= 2) {
            String[] names = lines.get(0).trim().split("\\s+");
            String[] values = lines.get(1).trim().split("\\s+");
            double used = 0;
            for (int i = 0; i < names.length && i < values.length; i++) {
              if (List.of("S0U", "S1U", "EU", "OU").contains(names[i])) used += Double.parseDouble(values[i]);
            }
            long sample = (long) used;
            max.accumulateAndGet(sample, Math::max);
          }
          Thread.sleep(1000); // the sampling period, not a synchronization
        } catch (InterruptedException e) {
          return;
        } catch (Exception e) {
          // jstat unavailable for a moment: skip this sample
        }
      }
    }
  }
}
