package dev.phantom.examples.orders;

import akka.actor.AddressFromURIString;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.JoinSeedNodes;
import akka.http.javadsl.Http;
import akka.http.javadsl.server.AllDirectives;
import akka.http.javadsl.server.Route;
import dev.phantom.http.McpTransport;
import dev.phantom.mcp.McpServer;
import dev.phantom.mcp.Tool;
import dev.phantom.mcp.ToolResult;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A service with its own ActorSystem ("orders"), its own routes and logging, that mounts an MCP endpoint
 * beside them. Run two instances and they form one cluster: an MCP session opened on one is served by
 * the other. Environment: ORDERS_HTTP_PORT, ORDERS_ARTERY_PORT, ORDERS_SEED_NODES (see application.conf).
 */
public final class OrdersService extends AllDirectives {
  private static final Logger log = LoggerFactory.getLogger(OrdersService.class);
  private static final Map<String, String> ORDERS = Map.of("A-1", "2 books, shipped", "B-7", "1 lamp, packing");

  public static void main(String[] args) {
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "orders");
    // With akka.actor.provider = local the service runs alone (Phantom then works without a cluster).
    if (system.settings().config().getString("akka.actor.provider").equals("cluster")) {
      joinCluster(system, system.settings().config().getString("orders.seed-nodes"));
    }
    new OrdersService().start(system);
  }

  private static void joinCluster(ActorSystem<?> system, String seedNodes) {
    Cluster cluster = Cluster.get(system);
    List<akka.actor.Address> seeds = Arrays.stream(seedNodes.split(","))
        .map(String::trim)
        .filter(s -> !s.isEmpty())
        .map(AddressFromURIString::parse)
        .toList();
    cluster.manager().tell(new JoinSeedNodes(seeds.isEmpty() ? List.of(cluster.selfMember().address()) : seeds));
  }

  private void start(ActorSystem<Void> system) {
    McpServer server = McpServer.builder("orders", "1.0.0")
        .tool(Tool.builder("lookup_order")
            .description("The state of an order")
            .inputSchema("{\"type\":\"object\",\"properties\":{\"id\":{\"type\":\"string\"}},\"required\":[\"id\"]}")
            .syncHandler((args, ctx) -> {
              String id = args.path("id").asText();
              String state = ORDERS.get(id);
              return state == null ? ToolResult.error("no order " + id) : ToolResult.text(id + ": " + state);
            })
            .build())
        .build();
    McpTransport mcp = McpTransport.create(system, server);
    Route own = pathPrefix("orders", () -> path("health", () -> get(() -> complete("ok"))));
    int port = system.settings().config().getInt("orders.http.port");
    Http.get(system).newServerAt("127.0.0.1", port).bind(concat(own, mcp.route()))
        .whenComplete((binding, failure) -> {
          if (failure != null) {
            log.error("cannot listen on 127.0.0.1:{}: {}", port, failure.getMessage());
            system.terminate();
          } else {
            log.info("orders service on http://127.0.0.1:{} (/orders/health, /mcp)", port);
          }
        });
  }
}
