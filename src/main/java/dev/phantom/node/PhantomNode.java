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
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The runnable node: an ActorSystem named {@code phantom} in an Akka Cluster (a single-node cluster on
 * 127.0.0.1 by default; Artery over TLS when given its key stores), the Tracker, and the HTTP server: an
 * MCP server on {@code /mcp} (the demo server when {@code phantom.node.demo.enabled}) and the health
 * endpoints; the operator's {@code /admin/tracker} on a listener of its own when
 * {@code phantom.node.admin.enabled}.
 *
 * <pre>
 * java -jar target/phantom-akka.jar                       # one node: HTTP 127.0.0.1:8080, Artery 25520
 * PHANTOM_DEMO_ENABLED=true java -jar target/phantom-akka.jar   # the same, serving the demo tools
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
    if (system.settings().config().getBoolean("phantom.node.demo.enabled")) {
      McpServer server = DemoServer.create(SessionTracker.get(system));
      this.mcp = McpTransport.create(system, server);
      DemoServer.installDynamicTools(server, mcp);
      log.info("serving the demo MCP server (phantom.node.demo.enabled)");
    } else {
      // No tools, prompts or resources: initialize, ping and empty lists. Embed the library to serve yours.
      this.mcp = McpTransport.create(system, McpServer.builder("phantom", "0.1.0").build());
    }
  }

  public static void main(String[] args) {
    try {
      start(loadConfig());
    } catch (IllegalStateException | com.typesafe.config.ConfigException e) {
      // A configuration the node refuses (plain Artery on a reachable host, incomplete TLS settings).
      log.error("{}", e.getMessage());
      System.err.println("phantom: " + e.getMessage());
      System.exit(2);
    }
  }

  /**
   * A started node: its ActorSystem, its HTTP binding (failed when the port could not be bound) and the
   * admin listener's binding (absent when {@code phantom.node.admin.enabled} is off).
   */
  public record Started(ActorSystem<Void> system, CompletionStage<ServerBinding> binding,
                        Optional<CompletionStage<ServerBinding>> adminBinding) {}

  /**
   * Starts a node with {@code config} (see {@link #loadConfig()}): Artery over TLS when
   * {@code phantom.node.cluster-tls.key-store} is set; the system terminates if a listener cannot bind.
   *
   * @throws IllegalStateException when the TLS settings are incomplete, or Artery would run without TLS
   *     on a host that is not loopback (unless {@code phantom.node.allow-plaintext-cluster})
   */
  public static Started start(Config config) {
    Config effective = ClusterTransport.configure(config);
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), SYSTEM_NAME, effective);
    log.info("cluster transport: {}", effective.getString("akka.remote.artery.transport").equals("tls-tcp")
        ? "Artery over TLS with mutual authentication (tls-tcp)"
        : "Artery without TLS (" + effective.getString("akka.remote.artery.transport") + ")");
    PhantomNode node = new PhantomNode(system);
    node.joinCluster(effective.getString("phantom.node.seed-nodes"));
    CompletionStage<ServerBinding> binding = node.listen("MCP", effective.getConfig("phantom.node.http"), node.routes());
    Optional<CompletionStage<ServerBinding>> admin = Optional.empty();
    if (effective.getBoolean("phantom.node.admin.enabled")) {
      admin = Optional.of(node.listen("admin", effective.getConfig("phantom.node.admin"), node.adminRoutes()));
    }
    return new Started(system, binding, admin);
  }

  private CompletionStage<ServerBinding> listen(String what, Config at, Route route) {
    String host = at.getString("host");
    int port = at.getInt("port");
    CompletionStage<ServerBinding> binding = Http.get(system).newServerAt(host, port).bind(route);
    binding.whenComplete((bound, failure) -> {
      if (failure != null) {
        log.error("cannot listen on {}:{} ({}): {}", host, port, what, failure.getMessage());
        system.terminate();
      } else {
        log.info("Phantom node: {} listener on http://{}:{} (cluster {})", what, host, bound.localAddress().getPort(),
            Cluster.get(system).selfMember().address());
        bound.addToCoordinatedShutdown(java.time.Duration.ofSeconds(10), system);
      }
    });
    return binding;
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
    return concat(mcp.route(), health);
  }

  /**
   * The admin listener's routes: {@code GET /admin/tracker}. Only for requests addressed to a loopback
   * name or to the listener's own host (a web page cannot read it through DNS rebinding); 404 elsewhere.
   */
  Route adminRoutes() {
    String own = system.settings().config().getString("phantom.node.admin.host");
    java.util.Set<String> hosts = new java.util.HashSet<>(List.of("localhost", "127.0.0.1", "[::1]", "::1"));
    hosts.add(own.toLowerCase(java.util.Locale.ROOT));
    return extractHost(host -> hosts.contains(host.toLowerCase(java.util.Locale.ROOT))
        ? path(segment("admin").slash("tracker"), () -> get(() -> completeWithFuture(
            AdminView.tracker(system, tracker).thenApply(json -> akka.http.javadsl.model.HttpResponse.create()
                .withEntity(akka.http.javadsl.model.ContentTypes.APPLICATION_JSON, json)))))
        : complete(StatusCodes.FORBIDDEN, "this host name is not served here"));
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
