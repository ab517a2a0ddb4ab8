package dev.phantom.node;

import static akka.http.javadsl.server.PathMatchers.segment;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import akka.cluster.MemberStatus;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.JoinSeedNodes;
import akka.http.javadsl.Http;
import akka.http.javadsl.ServerBinding;
import akka.http.javadsl.model.StatusCodes;
import akka.http.javadsl.server.AllDirectives;
import akka.http.javadsl.server.Route;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.phantom.http.McpTransport;
import dev.phantom.mcp.McpServer;
import dev.phantom.presence.SessionTracker;
import dev.phantom.tracker.Tracker;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletionStage;
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
  static {
    // The node's logging configuration is packaged under a name that logback never picks up by itself,
    // so a service embedding the library keeps its own; the node points logback at it before the
    // first logger exists (unless the operator chose another file).
    if (System.getProperty("logback.configurationFile") == null) {
      System.setProperty("logback.configurationFile", "META-INF/phantom/logback-node.xml");
    }
  }

  private static final Logger log = LoggerFactory.getLogger(PhantomNode.class);

  private final ActorSystem<Void> system;
  private final Tracker tracker;
  private final McpTransport mcp;

  private PhantomNode(ActorSystem<Void> system) {
    this.system = system;
    this.tracker = Tracker.get(system);
    McpServer server = DemoServer.create(SessionTracker.get(system));
    this.mcp = McpTransport.create(system, server);
    DemoServer.installDynamicTools(server, mcp);
  }

  public static void main(String[] args) {
    start(loadConfig());
  }

  /** A started node: its ActorSystem and its HTTP binding (failed when the port could not be bound). */
  public record Started(ActorSystem<Void> system, CompletionStage<ServerBinding> binding) {}

  /** Starts a node with {@code config} (see {@link #loadConfig()}); the system terminates if binding fails. */
  public static Started start(Config config) {
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), SYSTEM_NAME, config);
    PhantomNode node = new PhantomNode(system);
    node.joinCluster(config.getString("phantom.node.seed-nodes"));
    String host = config.getString("phantom.node.http.host");
    int port = config.getInt("phantom.node.http.port");
    CompletionStage<ServerBinding> binding = Http.get(system).newServerAt(host, port).bind(node.routes());
    binding.whenComplete((bound, failure) -> {
      if (failure != null) {
        log.error("cannot listen on {}:{}: {}", host, port, failure.getMessage());
        system.terminate();
      } else {
        log.info("Phantom node listening on http://{}:{} (cluster {})", host, bound.localAddress().getPort(),
            Cluster.get(system).selfMember().address());
        bound.addToCoordinatedShutdown(java.time.Duration.ofSeconds(10), system);
      }
    });
    return new Started(system, binding);
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
    Route health = concat(
        path(segment("health").slash("live"), () -> get(() -> complete(StatusCodes.OK, "live"))),
        path(segment("health").slash("ready"), () -> get(() -> isReady()
            ? complete(StatusCodes.OK, "ready")
            : complete(StatusCodes.SERVICE_UNAVAILABLE, "not ready"))));
    if (!system.settings().config().getBoolean("phantom.node.admin.enabled")) return concat(mcp.route(), health);
    return concat(mcp.route(), health,
        path(segment("admin").slash("tracker"), () -> get(() -> completeWithFuture(
            AdminView.tracker(system, tracker).thenApply(json -> akka.http.javadsl.model.HttpResponse.create()
                .withEntity(akka.http.javadsl.model.ContentTypes.APPLICATION_JSON, json))))));
  }

  /**
   * Ready when this node is Up in the cluster, its tracker has read the cluster's presence state (every
   * key from a majority of the nodes), and its notification hub is connected with every Up member through
   * the pub-sub topic both ways (a node that took traffic before could miss notifications).
   */
  boolean isReady() {
    return Cluster.get(system).selfMember().status() == MemberStatus.up() && tracker.isSynced() && mcp.isReady();
  }
}
