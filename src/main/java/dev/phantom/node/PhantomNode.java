package dev.phantom.node;

import static akka.http.javadsl.server.PathMatchers.segment;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import akka.cluster.MemberStatus;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.JoinSeedNodes;
import akka.http.javadsl.Http;
import akka.http.javadsl.model.StatusCodes;
import akka.http.javadsl.server.AllDirectives;
import akka.http.javadsl.server.Route;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.phantom.http.McpTransport;
import dev.phantom.mcp.McpServer;
import dev.phantom.tracker.Tracker;
import java.util.Arrays;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The runnable node: an ActorSystem named {@code phantom} in an Akka Cluster (a single-node cluster on
 * 127.0.0.1 by default), the Tracker, and the HTTP server: the demo MCP server on {@code /mcp} and the
 * health endpoints.
 *
 * <pre>
 * java -jar target/phantom-akka.jar                       # one node: HTTP 127.0.0.1:8080, Artery 25520
 * PHANTOM_HTTP_PORT=8082 PHANTOM_CLUSTER_PORT=25522 \
 *   PHANTOM_SEED_NODES=akka://phantom@127.0.0.1:25520 java -jar target/phantom-akka.jar
 * </pre>
 */
public final class PhantomNode extends AllDirectives {
  public static final String SYSTEM_NAME = "phantom";
  /** The repository's top-level application.conf, packaged into the jar under this name. */
  static final String NODE_CONFIG = "META-INF/phantom/application.conf";
  private static final Logger log = LoggerFactory.getLogger(PhantomNode.class);

  private final ActorSystem<Void> system;
  private final Tracker tracker;
  private final McpTransport mcp;

  private PhantomNode(ActorSystem<Void> system) {
    this.system = system;
    this.tracker = Tracker.get(system);
    McpServer server = DemoServer.create(tracker);
    this.mcp = McpTransport.create(system, server);
    DemoServer.installDynamicTools(server, mcp);
  }

  public static void main(String[] args) {
    Config config = loadConfig();
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), SYSTEM_NAME, config);
    PhantomNode node = new PhantomNode(system);
    node.joinCluster(config.getString("phantom.node.seed-nodes"));
    String host = config.getString("phantom.node.http.host");
    int port = config.getInt("phantom.node.http.port");
    Http.get(system).newServerAt(host, port).bind(node.routes())
        .whenComplete((binding, failure) -> {
          if (failure != null) {
            log.error("cannot listen on {}:{}: {}", host, port, failure.getMessage());
            system.terminate();
          } else {
            log.info("Phantom node listening on http://{}:{} (cluster {})", host, port,
                Cluster.get(system).selfMember().address());
            binding.addToCoordinatedShutdown(java.time.Duration.ofSeconds(10), system);
          }
        });
  }

  /** The node configuration: system properties, then the node's application.conf, then reference.conf. */
  static Config loadConfig() {
    Config node = ConfigFactory.parseResources(PhantomNode.class.getClassLoader(), NODE_CONFIG);
    if (node.isEmpty()) throw new IllegalStateException(NODE_CONFIG + " is missing from the classpath");
    return ConfigFactory.load(node);
  }

  private void joinCluster(String seedNodes) {
    Cluster cluster = Cluster.get(system);
    List<akka.actor.Address> seeds = Arrays.stream(seedNodes.split(","))
        .map(String::trim)
        .filter(s -> !s.isEmpty())
        .map(akka.actor.AddressFromURIString::parse)
        .toList();
    cluster.manager().tell(new JoinSeedNodes(seeds.isEmpty() ? List.of(cluster.selfMember().address()) : seeds));
  }

  Route routes() {
    return concat(
        mcp.route(),
        path(segment("health").slash("live"), () -> get(() -> complete(StatusCodes.OK, "live"))),
        path(segment("health").slash("ready"), () -> get(() -> isReady()
            ? complete(StatusCodes.OK, "ready")
            : complete(StatusCodes.SERVICE_UNAVAILABLE, "not ready"))));
  }

  /** Ready when this node is Up in the cluster (the tracker runs from the start). */
  boolean isReady() {
    return Cluster.get(system).selfMember().status() == MemberStatus.up() && tracker.isAvailable();
  }
}
