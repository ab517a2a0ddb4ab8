package dev.phantom.testkit;

import akka.actor.typed.ActorSystem;
import akka.http.javadsl.Http;
import akka.http.javadsl.ServerBinding;
import dev.phantom.http.McpTransport;
import dev.phantom.mcp.McpServer;
import dev.phantom.node.DemoServer;
import dev.phantom.presence.SessionTracker;
import java.net.URI;
import java.util.concurrent.TimeUnit;

/** The demo MCP server on one node of a {@link TestCluster}, on 127.0.0.1 and a free port. */
public final class McpTestNode {
  public final ActorSystem<Void> system;
  public final McpServer server;
  public final URI endpoint;
  public final McpTransport transport;
  private final ServerBinding binding;

  private McpTestNode(ActorSystem<Void> system, McpServer server, McpTransport transport, ServerBinding binding) {
    this.system = system;
    this.server = server;
    this.transport = transport;
    this.binding = binding;
    this.endpoint = URI.create("http://127.0.0.1:" + binding.localAddress().getPort() + "/mcp");
  }

  /**
   * Serves the demo server on {@code system}. Like a load balancer, a test should send it traffic only
   * once it is ready ({@link #awaitReady}): {@link #serveEach} waits for that.
   */
  public static McpTestNode serve(ActorSystem<Void> system) {
    McpServer server = DemoServer.create(SessionTracker.get(system));
    McpTransport mcp = McpTransport.create(system, server);
    DemoServer.installDynamicTools(server, mcp);
    try {
      ServerBinding binding = Http.get(system).newServerAt("127.0.0.1", 0).bind(mcp.route())
          .toCompletableFuture().get(10, TimeUnit.SECONDS);
      return new McpTestNode(system, server, mcp, binding);
    } catch (Exception e) {
      throw new IllegalStateException("cannot bind the test server", e);
    }
  }

  /** Serves the demo server on every node of {@code cluster}, in node order, and waits until all are ready. */
  public static java.util.List<McpTestNode> serveEach(TestCluster cluster) {
    java.util.List<McpTestNode> nodes = new java.util.ArrayList<>();
    for (int i = 0; i < cluster.size(); i++) nodes.add(serve(cluster.node(i)));
    nodes.forEach(McpTestNode::awaitReady);
    return java.util.List.copyOf(nodes);
  }

  /**
   * Waits (bounded) until the node is ready for traffic: its notification hub is connected with every Up
   * member (what {@code /health/ready} reports on a real node).
   */
  public McpTestNode awaitReady() {
    Eventually.await(java.time.Duration.ofSeconds(30), transport::isReady, "node ready (notification hub connected with every member)");
    return this;
  }

  public McpTestClient client() {
    return new McpTestClient(endpoint);
  }

  public void unbind() {
    binding.unbind();
  }
}
