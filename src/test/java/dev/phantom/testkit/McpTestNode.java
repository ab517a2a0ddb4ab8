package dev.phantom.testkit;

import akka.actor.typed.ActorSystem;
import akka.http.javadsl.Http;
import akka.http.javadsl.ServerBinding;
import dev.phantom.http.McpTransport;
import dev.phantom.mcp.McpServer;
import dev.phantom.node.DemoServer;
import dev.phantom.tracker.Tracker;
import java.net.URI;
import java.util.concurrent.TimeUnit;

/** The demo MCP server on one node of a {@link TestCluster}, on 127.0.0.1 and a free port. */
public final class McpTestNode {
  public final ActorSystem<Void> system;
  public final McpServer server;
  public final URI endpoint;
  private final ServerBinding binding;

  private McpTestNode(ActorSystem<Void> system, McpServer server, ServerBinding binding) {
    this.system = system;
    this.server = server;
    this.binding = binding;
    this.endpoint = URI.create("http://127.0.0.1:" + binding.localAddress().getPort() + "/mcp");
  }

  /** Serves the demo server on {@code system}. */
  public static McpTestNode serve(ActorSystem<Void> system) {
    McpServer server = DemoServer.create(Tracker.get(system));
    McpTransport mcp = McpTransport.create(system, server);
    DemoServer.installDynamicTools(server, mcp);
    try {
      ServerBinding binding = Http.get(system).newServerAt("127.0.0.1", 0).bind(mcp.route())
          .toCompletableFuture().get(10, TimeUnit.SECONDS);
      return new McpTestNode(system, server, binding);
    } catch (Exception e) {
      throw new IllegalStateException("cannot bind the test server", e);
    }
  }

  /** Serves the demo server on every node of {@code cluster}, in node order. */
  public static java.util.List<McpTestNode> serveEach(TestCluster cluster) {
    java.util.List<McpTestNode> nodes = new java.util.ArrayList<>();
    for (int i = 0; i < cluster.size(); i++) nodes.add(serve(cluster.node(i)));
    return java.util.List.copyOf(nodes);
  }

  public McpTestClient client() {
    return new McpTestClient(endpoint);
  }

  public void unbind() {
    binding.unbind();
  }
}
