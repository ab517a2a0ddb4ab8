package dev.phantom.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.http.javadsl.Http;
import akka.http.javadsl.ServerBinding;
import akka.http.javadsl.server.AllDirectives;
import akka.http.javadsl.server.Route;
import com.fasterxml.jackson.databind.JsonNode;
import dev.phantom.mcp.ConnectHook;
import dev.phantom.mcp.Content;
import dev.phantom.mcp.Json;
import dev.phantom.mcp.McpServer;
import dev.phantom.mcp.Prompt;
import dev.phantom.mcp.Resource;
import dev.phantom.mcp.ResourceContents;
import dev.phantom.mcp.Tool;
import dev.phantom.mcp.ToolResult;
import dev.phantom.testkit.McpTestClient;
import dev.phantom.testkit.TestCluster;
import java.net.URI;
import java.net.http.HttpRequest;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What a service that embeds the transport uses: the MCP route at a path of its choice beside its own
 * routes, an asynchronous connect hook that sees repeated headers, handlers and readers without futures.
 */
class EmbeddingApiTest {
  private static TestCluster cluster;
  private static URI endpoint;
  private static URI base;

  /** Decides later, on another thread, from every value of the repeated X-Team header. */
  private static final ConnectHook TEAMS = new ConnectHook() {
    public Decision connect(Map<String, String> headers) {
      throw new AssertionError("the transport must call connectAsync");
    }

    public CompletionStage<Decision> connectAsync(Map<String, List<String>> headers) {
      List<String> teams = headers.getOrDefault("x-team", List.of());
      return CompletableFuture.supplyAsync(() -> teams.isEmpty()
              ? Decision.unauthorized("Team")
              : Decision.allow(String.join("+", teams)),
          CompletableFuture.delayedExecutor(20, TimeUnit.MILLISECONDS));
    }
  };

  @BeforeAll
  static void start() throws Exception {
    cluster = TestCluster.start(1);
    McpServer server = McpServer.builder("embedded", "1")
        .tool(Tool.builder("whoami").syncHandler((args, ctx) -> ToolResult.text(ctx.principal().orElse("nobody"))).build())
        .prompt(Prompt.builder("greet").syncHandler((args, ctx) ->
            Prompt.Result.of(Prompt.Message.user(Content.text("hello " + ctx.principal().orElse("?"))))).build())
        .resource(Resource.builder("orders://1", "order 1").mimeType("text/plain")
            .syncReader((uri, ctx) -> List.of(ResourceContents.text(uri, "text/plain", "one order"))).build())
        .connectHook(TEAMS)
        .build();
    McpTransport mcp = McpTransport.create(cluster.node(0), server);
    AllDirectives d = new AllDirectives() {};
    Route own = d.path("health", () -> d.complete("service ok"));
    ServerBinding binding = Http.get(cluster.node(0)).newServerAt("127.0.0.1", 0).bind(d.concat(mcp.route("tools-api"), own))
        .toCompletableFuture().get(10, TimeUnit.SECONDS);
    base = URI.create("http://127.0.0.1:" + binding.localAddress().getPort() + "/");
    endpoint = base.resolve("tools-api");
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  private static McpTestClient.Reply initialize(String... teams) {
    McpTestClient client = new McpTestClient(endpoint);
    HttpRequest.Builder b = client.base().header("Accept", "application/json, text/event-stream")
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(Json.write(McpTestClient.request(1, "initialize", Json.parseObject(
            "{\"protocolVersion\":\"2025-11-25\",\"capabilities\":{},\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}")))));
    for (String team : teams) b.header("X-Team", team);
    return client.send(b.build());
  }

  /** A request of the session, with the team headers the hook reads (every request is authenticated). */
  private static JsonNode call(String sessionId, JsonNode message, String... teams) {
    McpTestClient client = new McpTestClient(endpoint).withSession(sessionId);
    HttpRequest.Builder b = client.base().header("Accept", "application/json, text/event-stream")
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(Json.write(message)));
    for (String team : teams) b.header("X-Team", team);
    try (McpTestClient.EventStream s = client.openStream(b.build())) {
      return s.response();
    }
  }

  @Test
  void theRouteServesAtTheServicesPathBesideItsOwnRoutes() {
    McpTestClient.Reply own = new McpTestClient(base.resolve("health")).send(
        HttpRequest.newBuilder(base.resolve("health")).GET().build());
    assertEquals(200, own.status());
    assertEquals("service ok", own.body());
    McpTestClient.Reply notThere = new McpTestClient(base.resolve("mcp")).postRaw("{}", Map.of());
    assertEquals(404, notThere.status(), "only the chosen path serves MCP");
  }

  @Test
  void theAsynchronousHookSeesEveryValueOfARepeatedHeader() {
    McpTestClient.Reply refused = initialize();
    assertEquals(401, refused.status());
    assertEquals("Team", refused.header("WWW-Authenticate"));

    McpTestClient.Reply ok = initialize("red", "blue");
    assertEquals(200, ok.status(), ok.body());
    JsonNode who = call(ok.header("Mcp-Session-Id"), McpTestClient.toolCall(2, "whoami", Json.object()), "red", "blue");
    assertEquals("red+blue", who.path("result").path("content").path(0).path("text").asText(), who.toString());
  }

  @Test
  void handlersAndReadersWithoutFuturesServeBothEras() {
    McpTestClient.Reply ok = initialize("green");
    String id = ok.header("Mcp-Session-Id");
    JsonNode prompt = call(id, McpTestClient.request(3, "prompts/get", Json.object().put("name", "greet")), "green");
    assertEquals("hello green", prompt.path("result").path("messages").path(0).path("content").path("text").asText(), prompt.toString());
    JsonNode read = call(id, McpTestClient.request(4, "resources/read", Json.object().put("uri", "orders://1")), "green");
    assertEquals("one order", read.path("result").path("contents").path(0).path("text").asText(), read.toString());

    // The stateless wire runs the hook on each request.
    String body = "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"tools/call\",\"params\":{\"name\":\"whoami\",\"arguments\":{},"
        + "\"_meta\":{\"io.modelcontextprotocol/protocolVersion\":\"2026-07-28\",\"io.modelcontextprotocol/clientCapabilities\":{}}}}";
    McpTestClient.Reply modern = new McpTestClient(endpoint).postRaw(body, Map.of("MCP-Protocol-Version", "2026-07-28",
        "Mcp-Method", "tools/call", "Mcp-Name", "whoami", "X-Team", "violet"));
    assertEquals(200, modern.status(), modern.body());
    assertTrue(modern.body().contains("\"text\":\"violet\""), modern.body());
    McpTestClient.Reply anonymous = new McpTestClient(endpoint).postRaw(body, Map.of("MCP-Protocol-Version", "2026-07-28",
        "Mcp-Method", "tools/call", "Mcp-Name", "whoami"));
    assertEquals(401, anonymous.status());
    assertEquals(5, anonymous.json().path("id").asInt(), "the refusal echoes the request id");
  }
}
