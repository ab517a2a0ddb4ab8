package dev.phantom.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.http.javadsl.Http;
import akka.http.javadsl.ServerBinding;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.ConfigFactory;
import dev.phantom.mcp.ConnectHook;
import dev.phantom.mcp.Json;
import dev.phantom.mcp.McpServer;
import dev.phantom.mcp.Resource;
import dev.phantom.mcp.ResourceContents;
import dev.phantom.mcp.ResourceTemplate;
import dev.phantom.mcp.Tool;
import dev.phantom.mcp.ToolResult;
import dev.phantom.testkit.Eventually;
import dev.phantom.testkit.McpTestClient;
import dev.phantom.testkit.McpTestClient.EventStream;
import dev.phantom.testkit.McpTestClient.Reply;
import dev.phantom.testkit.TestCluster;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A test server for the security and limits tests: nodes of a {@link TestCluster} each serving /mcp on
 * 127.0.0.1 with a connect hook ({@code Authorization: Bearer <name>} is principal {@code <name>};
 * {@code X-Anonymous} without Authorization is the anonymous principal; neither is 401; {@code carol}
 * may read only {@code test://public}), tools ({@code echo}; {@code slow}, which holds its request until
 * the test {@link #release releases} its key; {@code ask}, which elicits a name), two resources and a
 * template; and a bystander session of another principal with an open GET stream, which every test
 * checks still works.
 */
final class SecurityFixture implements AutoCloseable {
  static final Map<String, String> ANONYMOUS = Map.of("X-Anonymous", "yes");
  static final String FORBIDDEN = "Forbidden: the session belongs to another principal";
  private static final ObjectNode CAPABILITIES = Json.parseObject("{\"elicitation\":{\"form\":{}}}");
  private static final Map<String, CompletableFuture<Void>> GATES = new ConcurrentHashMap<>();
  private static final Set<String> STARTED = ConcurrentHashMap.newKeySet();
  private static final AtomicLong UNIQUE = new AtomicLong();

  final TestCluster cluster;
  final List<McpTransport> transports = new ArrayList<>();
  final List<URI> endpoints = new ArrayList<>();
  final Party bystander;
  final EventStream bystanderGet;

  private SecurityFixture(int nodes, String config) {
    cluster = TestCluster.start(nodes, ConfigFactory.parseString("phantom.mcp.sse-hold-back = 100ms\n" + config));
    try {
      for (int i = 0; i < nodes; i++) {
        McpTransport mcp = McpTransport.create(cluster.node(i), server());
        ServerBinding binding = Http.get(cluster.node(i)).newServerAt("127.0.0.1", 0).bind(mcp.route())
            .toCompletableFuture().get(10, TimeUnit.SECONDS);
        transports.add(mcp);
        endpoints.add(URI.create("http://127.0.0.1:" + binding.localAddress().getPort() + "/mcp"));
      }
      for (McpTransport t : transports) Eventually.await(Duration.ofSeconds(30), t::isReady, "node ready");
      bystander = party(0, "bystander").initialize();
      bystanderGet = bystander.get(null);
      assertEquals(200, bystanderGet.status, bystanderGet.body);
    } catch (Exception e) {
      cluster.close();
      throw new IllegalStateException("cannot start the test server", e);
    }
  }

  static SecurityFixture start(int nodes, String config) {
    return new SecurityFixture(nodes, config);
  }

  private static McpServer server() {
    Tool echo = Tool.builder("echo").description("Echoes text with the caller's principal")
        .handler((args, ctx) -> CompletableFuture.completedFuture(
            ToolResult.text(ctx.principal().orElse("anonymous") + ":" + args.path("text").asText())))
        .build();
    Tool slow = Tool.builder("slow").description("Runs until the test releases its key (or it is cancelled)")
        .inputSchema("{\"type\":\"object\",\"properties\":{\"key\":{\"type\":\"string\"}},\"required\":[\"key\"]}")
        .handler((args, ctx) -> {
          String key = args.path("key").asText();
          CompletableFuture<ToolResult> done = new CompletableFuture<>();
          ctx.onCancel(() -> done.complete(ToolResult.text("cancelled " + key)));
          gate(key).thenRun(() -> done.complete(ToolResult.text("released " + key)));
          STARTED.add(key);
          return done.completeOnTimeout(ToolResult.text("never released " + key), 30, TimeUnit.SECONDS);
        })
        .build();
    Tool block = Tool.builder("block").description("Blocks its handler thread until the test releases its key")
        .inputSchema("{\"type\":\"object\",\"properties\":{\"key\":{\"type\":\"string\"}},\"required\":[\"key\"]}")
        .syncHandler((args, ctx) -> {
          String key = args.path("key").asText();
          STARTED.add(key);
          gate(key).completeOnTimeout(null, 30, TimeUnit.SECONDS).join();
          return ToolResult.text("unblocked " + key);
        })
        .build();
    Tool ask = Tool.builder("ask").description("Asks the user's name")
        .handler((args, ctx) -> ctx.elicitForm("Your name?",
                Json.parseObject("{\"type\":\"object\",\"properties\":{\"name\":{\"type\":\"string\"}}}"))
            .thenApply(r -> ToolResult.text("action=" + r.action().name().toLowerCase(Locale.ROOT)
                + " name=" + (r.content() == null ? "" : r.content().path("name").asText())
                + (r.error() == null ? "" : " error=" + r.error().path("message").asText()))))
        .build();
    return McpServer.builder("security-test", "1").tool(echo).tool(slow).tool(block).tool(ask)
        .resource(Resource.builder("test://public", "public")
            .syncReader((uri, ctx) -> List.of(ResourceContents.text(uri, "text/plain", "public"))).build())
        .resource(Resource.builder("test://secret", "secret")
            .syncReader((uri, ctx) -> List.of(ResourceContents.text(uri, "text/plain", "secret"))).build())
        .resourceTemplate(new ResourceTemplate("test://items/{id}", "item", null, null, "text/plain",
            (uri, vars, ctx) -> CompletableFuture.completedFuture(
                List.of(ResourceContents.text(uri, "text/plain", "item " + vars.get("id"))))))
        .connectHook(headers -> {
          String auth = headers.get("authorization");
          if (auth == null) {
            return headers.containsKey("x-anonymous") ? ConnectHook.Decision.allow(null)
                : ConnectHook.Decision.unauthorized("Bearer realm=\"test\"");
          }
          if (!auth.startsWith("Bearer ")) return ConnectHook.Decision.forbidden("unsupported credentials");
          String user = auth.substring(7);
          if (user.equals("carol")) {
            return ConnectHook.Decision.allow(user, new ConnectHook.AllowList(null, null, Set.of("test://public")));
          }
          return ConnectHook.Decision.allow(user);
        })
        .build();
  }

  // ------------------------------------------------------------------ parties

  static Map<String, String> bearer(String principal) {
    return Map.of("Authorization", "Bearer " + principal);
  }

  /** A client of {@code principal} on node {@code node}, no session yet. */
  Party party(int node, String principal) {
    return new Party(new McpTestClient(endpoints.get(node)), bearer(principal));
  }

  /** A client sending {@code headers} on node {@code node}, no session yet. */
  Party party(int node, Map<String, String> headers) {
    return new Party(new McpTestClient(endpoints.get(node)), headers);
  }

  /** A second client that knows only {@code victim}'s session id, sending {@code headers}, on node {@code node}. */
  Party thief(int node, Map<String, String> headers, Party victim) {
    return new Party(new McpTestClient(endpoints.get(node)).withSession(victim.sessionId()), headers);
  }

  static final class Party {
    final McpTestClient client;
    final Map<String, String> headers;

    Party(McpTestClient client, Map<String, String> headers) {
      this.client = client;
      this.headers = headers;
    }

    Party initialize() {
      client.initialize(CAPABILITIES.deepCopy(), headers);
      return this;
    }

    String sessionId() {
      return client.sessionId();
    }

    /** Ids unique across parties: a second connection of the session never reuses one of the first. */
    long nextId() {
      return 1_000_000 + UNIQUE.incrementAndGet();
    }

    EventStream stream(JsonNode message) {
      return client.stream(message, headers);
    }

    /** A request's final response; fails unless the POST was answered 200. */
    JsonNode call(String method, JsonNode params) {
      try (EventStream s = stream(McpTestClient.request(nextId(), method, params))) {
        assertEquals(200, s.status, () -> method + " refused: " + s.body);
        return s.response();
      }
    }

    JsonNode echo(String text) {
      try (EventStream s = stream(McpTestClient.toolCall(nextId(), "echo", Json.object().put("text", text)))) {
        assertEquals(200, s.status, () -> "echo refused: " + s.body);
        return s.response();
      }
    }

    Reply post(JsonNode message) {
      return client.post(message, headers);
    }

    EventStream get(String lastEventId) {
      return client.get(lastEventId, headers);
    }

    Reply delete() {
      return client.delete(headers);
    }
  }

  // ------------------------------------------------------------------ the slow tool

  private static CompletableFuture<Void> gate(String key) {
    return GATES.computeIfAbsent(key, k -> new CompletableFuture<>());
  }

  static String uniqueKey(String prefix) {
    return prefix + "-" + UNIQUE.incrementAndGet();
  }

  static ObjectNode slowCall(long id, String key) {
    return McpTestClient.toolCall(id, "slow", Json.object().put("key", key));
  }

  /** Starts {@code slow} with {@code key} on {@code party}'s session under {@code id}; returns once its handler runs. */
  static EventStream startSlow(Party party, long id, String key) {
    gate(key);
    EventStream s = party.stream(slowCall(id, key));
    assertEquals(200, s.status, () -> "slow refused: " + s.body);
    Eventually.await(McpTestClient.WAIT, () -> STARTED.contains(key), "slow tool " + key + " running");
    return s;
  }

  /** Starts {@code block} with {@code key}: its handler holds a handler-dispatcher thread until released. */
  static EventStream startBlocking(Party party, long id, String key) {
    gate(key);
    EventStream s = party.stream(McpTestClient.toolCall(id, "block", Json.object().put("key", key)));
    assertEquals(200, s.status, () -> "block refused: " + s.body);
    Eventually.await(McpTestClient.WAIT, () -> STARTED.contains(key), "block tool " + key + " running");
    return s;
  }

  static void release(String key) {
    gate(key).complete(null);
  }

  /** Ends every slow call still held (cleanup after a failed test). */
  static void releaseAll() {
    GATES.values().forEach(g -> g.complete(null));
  }

  /** Waits until no request counts against any node's in-flight limit. */
  void awaitNoRequestsInFlight() {
    for (McpTransport t : transports) {
      Eventually.await(McpTestClient.WAIT, () -> t.load().requests() == 0,
          () -> "requests in flight back to 0, now " + t.load().requests());
    }
  }

  // ------------------------------------------------------------------ assertions

  static JsonNode assertRefused(int status, int code, String messagePart, int actualStatus, String body) {
    assertEquals(status, actualStatus, () -> "status of " + body);
    JsonNode json;
    try {
      json = Json.parse(body);
    } catch (java.io.IOException e) {
      throw new AssertionError("not JSON: " + body);
    }
    assertEquals(code, json.path("error").path("code").asInt(), () -> "code of " + body);
    assertTrue(json.path("error").path("message").asText().contains(messagePart), () -> "message of " + body);
    return json;
  }

  static JsonNode assertRefused(int status, int code, String messagePart, Reply reply) {
    return assertRefused(status, code, messagePart, reply.status(), reply.body());
  }

  static JsonNode assertRefused(int status, int code, String messagePart, EventStream stream) {
    try (stream) {
      return assertRefused(status, code, messagePart, stream.status, stream.body);
    }
  }

  static String text(JsonNode response) {
    assertTrue(response.has("result"), () -> "not a result: " + response);
    return response.path("result").path("content").path(0).path("text").asText();
  }

  /** A tools/call on {@code party}'s session succeeds as {@code principal}. */
  static void assertEchoes(Party party, String principal) {
    String text = uniqueKey("echo");
    assertEquals(principal + ":" + text, text(party.echo(text)), "the session answers its owner");
  }

  /**
   * {@code party}'s GET stream {@code get} still receives: the session subscribes to a fresh URI, a
   * resources/updated for it is published, and it arrives on {@code get}.
   */
  void assertNotified(Party party, EventStream get) {
    String uri = "test://items/" + uniqueKey("n");
    assertTrue(party.call("resources/subscribe", Json.object().put("uri", uri)).has("result"), "subscribe " + uri);
    try {
      assertEquals(1, (int) transports.get(0).notifyResourceUpdated(uri).toCompletableFuture().get(20, TimeUnit.SECONDS),
          "one session subscribed to " + uri);
    } catch (Exception e) {
      throw new AssertionError("notify " + uri, e);
    }
    JsonNode updated = get.nextMatching(m -> "notifications/resources/updated".equals(m.path("method").asText())
        && uri.equals(m.path("params").path("uri").asText()));
    assertEquals(uri, updated.path("params").path("uri").asText());
    assertTrue(party.call("resources/unsubscribe", Json.object().put("uri", uri)).has("result"), "unsubscribe " + uri);
  }

  /** The bystander's session answers a tools/call and its GET stream still delivers. */
  void assertBystanderWorks() {
    assertEchoes(bystander, "bystander");
    assertNotified(bystander, bystanderGet);
  }

  static Map<String, String> with(Map<String, String> headers, String name, String value) {
    Map<String, String> out = new HashMap<>(headers);
    out.put(name, value);
    return out;
  }

  @Override
  public void close() {
    releaseAll();
    bystanderGet.close();
    cluster.close();
  }
}
