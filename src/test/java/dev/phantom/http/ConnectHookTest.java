package dev.phantom.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.http.javadsl.Http;
import akka.http.javadsl.ServerBinding;
import com.fasterxml.jackson.databind.JsonNode;
import dev.phantom.mcp.ConnectHook;
import dev.phantom.mcp.Json;
import dev.phantom.mcp.McpServer;
import dev.phantom.mcp.Tool;
import dev.phantom.mcp.ToolResult;
import dev.phantom.testkit.McpTestClient;
import dev.phantom.testkit.TestCluster;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The connect hook: 401 with a challenge, 403, and a principal with per-session allow-lists. */
class ConnectHookTest {
  private static TestCluster cluster;
  private static URI endpoint;

  @BeforeAll
  static void start() throws Exception {
    cluster = TestCluster.start(1);
    Tool whoami = Tool.builder("whoami").description("The caller's principal")
        .handler((args, ctx) -> CompletableFuture.completedFuture(ToolResult.text(ctx.principal().orElse("nobody")))).build();
    Tool secret = Tool.builder("secret").description("Not for alice")
        .handler((args, ctx) -> CompletableFuture.completedFuture(ToolResult.text("secret"))).build();
    McpServer server = McpServer.builder("hooked", "1").tool(whoami).tool(secret)
        .connectHook(headers -> {
          String auth = headers.get("authorization");
          if (auth == null) return ConnectHook.Decision.unauthorized("Bearer realm=\"mcp\"");
          if (!auth.startsWith("Bearer ")) return ConnectHook.Decision.forbidden("unsupported credentials");
          String user = auth.substring(7);
          if (user.equals("mallory")) return ConnectHook.Decision.forbidden("banned");
          return ConnectHook.Decision.allow(user, new ConnectHook.AllowList(Set.of("whoami"), null, null));
        })
        .build();
    McpTransport mcp = McpTransport.create(cluster.node(0), server);
    ServerBinding binding = Http.get(cluster.node(0)).newServerAt("127.0.0.1", 0).bind(mcp.route())
        .toCompletableFuture().get(10, TimeUnit.SECONDS);
    endpoint = URI.create("http://127.0.0.1:" + binding.localAddress().getPort() + "/mcp");
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  private static McpTestClient.Reply initialize(Map<String, String> headers) {
    JsonNode init = McpTestClient.request(1, "initialize", Json.parseObject(
        "{\"protocolVersion\":\"2025-11-25\",\"capabilities\":{},\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}"));
    return new McpTestClient(endpoint).post(init, headers);
  }

  @Test
  void withoutCredentialsTheClientIsChallenged() {
    McpTestClient.Reply r = initialize(Map.of());
    assertEquals(401, r.status());
    assertEquals("Bearer realm=\"mcp\"", r.header("WWW-Authenticate"));
    assertEquals(-32000, r.json().path("error").path("code").asInt());
    assertEquals(null, r.header("Mcp-Session-Id"), "no session for a refused client");
  }

  @Test
  void aRefusedPrincipalIsForbidden() {
    McpTestClient.Reply r = initialize(Map.of("Authorization", "Bearer mallory"));
    assertEquals(403, r.status());
    assertTrue(r.json().path("error").path("message").asText().contains("banned"));
  }

  @Test
  void theSessionSeesItsPrincipalAndOnlyWhatItIsAllowed() {
    McpTestClient.Reply r = initialize(Map.of("Authorization", "Bearer alice"));
    assertEquals(200, r.status());
    Map<String, String> asAlice = Map.of("Authorization", "Bearer alice");
    McpTestClient alice = new McpTestClient(endpoint).withSession(r.header("Mcp-Session-Id"));
    JsonNode list = alice.stream(McpTestClient.request(2, "tools/list", null), asAlice).response();
    assertEquals(List.of("whoami"), list.path("result").path("tools").findValuesAsText("name"));
    JsonNode who = alice.stream(McpTestClient.toolCall(3, "whoami", null), asAlice).response();
    assertEquals("alice", who.path("result").path("content").path(0).path("text").asText());
    JsonNode denied = alice.stream(McpTestClient.toolCall(4, "secret", null), asAlice).response();
    assertEquals(-32602, denied.path("error").path("code").asInt(), "a tool outside the allow-list is unknown");
  }
}
