package dev.phantom.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.http.javadsl.ServerBinding;
import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigFactory;
import dev.phantom.mcp.Json;
import dev.phantom.testkit.Eventually;
import dev.phantom.testkit.McpTestClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The runnable node as PhantomNode.main starts it: health, readiness, the admin view, the demo server. */
class PhantomNodeTest {
  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private static PhantomNode.Started node;
  private static URI base;
  private static URI admin;

  @BeforeAll
  static void start() throws Exception {
    node = PhantomNode.start(ConfigFactory.parseString(String.join("\n",
            "phantom.node.http.port = 0",
            "phantom.node.seed-nodes = \"\"",
            "phantom.node.admin.enabled = true",
            "phantom.node.admin.port = 0",
            "phantom.node.demo.enabled = true",
            "akka.remote.artery.canonical.port = 0",
            "akka.cluster.jmx.multi-mbeans-in-same-jvm = on",
            "akka.coordinated-shutdown.exit-jvm = off",
            "akka.coordinated-shutdown.run-by-jvm-shutdown-hook = off"))
        .withFallback(PhantomNode.loadConfig()));
    ServerBinding binding = node.binding().toCompletableFuture().get(30, TimeUnit.SECONDS);
    base = URI.create("http://127.0.0.1:" + binding.localAddress().getPort());
    ServerBinding adminBinding = node.adminBinding().orElseThrow().toCompletableFuture().get(30, TimeUnit.SECONDS);
    admin = URI.create("http://127.0.0.1:" + adminBinding.localAddress().getPort());
  }

  @AfterAll
  static void stop() {
    node.system().terminate();
  }

  private static HttpResponse<String> get(String path) throws Exception {
    return get(base, path);
  }

  private static HttpResponse<String> get(URI at, String path) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(at.resolve(path)).GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void becomesReadyAndShowsItsTrackerToOperators() throws Exception {
    assertEquals(200, get("/health/live").statusCode());
    Eventually.await(Duration.ofSeconds(30), () -> {
      try {
        return get("/health/ready").statusCode() == 200;
      } catch (Exception e) {
        return false;
      }
    }, "ready");
    McpTestClient client = new McpTestClient(base.resolve("/mcp")).initialize();
    assertEquals("hi", client.callTool("echo", Json.object().put("text", "hi")).path("result").path("content").path(0)
        .path("text").asText());
    // The demo tools are bounded: beyond, -32602.
    assertEquals(-32602, client.callTool("slow_progress", Json.object().put("steps", 201)).path("error").path("code").asInt(),
        "steps above the bound");
    assertEquals(-32602, client.callTool("slow_progress", Json.object().put("steps", 2).put("delayMs", 1001))
        .path("error").path("code").asInt(), "delay above the bound");
    assertEquals(-32602, client.callTool("slow_progress", Json.object().put("steps", 100).put("delayMs", 1000))
        .path("error").path("code").asInt(), "more than a minute in all");
    assertEquals("counted to 2", client.callTool("slow_progress", Json.object().put("steps", 2).put("delayMs", 1))
        .path("result").path("content").path(0).path("text").asText());
    assertEquals(404, get("/admin/tracker").statusCode(), "the MCP port serves no admin view");
    assertEquals(404, get(admin, "/mcp").statusCode(), "the admin listener serves no MCP");
    JsonNode admin = Json.parse(get(PhantomNodeTest.admin, "/admin/tracker").body());
    assertTrue(admin.path("synced").asBoolean());
    assertEquals("cluster", admin.path("mode").asText());
    assertTrue(admin.path("entriesByTopic").path("phantom:sessions").asInt() >= 1, admin::toString);
    assertEquals(1, admin.path("members").size());
    assertEquals("Up", admin.path("members").path(0).path("status").asText());
    assertTrue(admin.path("members").path(0).path("reachable").asBoolean());
  }
}
