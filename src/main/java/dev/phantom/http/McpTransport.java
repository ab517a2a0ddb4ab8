package dev.phantom.http;

import dev.phantom.stateless.ListenStream;
import dev.phantom.stateless.StateSeal;
import dev.phantom.stateless.StatelessProtocol;
import dev.phantom.stateless.StatelessSettings;

import dev.phantom.util.Stages;
import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.DispatcherSelector;
import akka.actor.typed.Props;
import akka.http.javadsl.server.Route;
import dev.phantom.mcp.McpDispatcher;
import dev.phantom.mcp.McpServer;
import dev.phantom.session.Directory;
import dev.phantom.session.McpSettings;
import dev.phantom.session.RequestActor;
import dev.phantom.session.PendingAnswers;
import dev.phantom.session.SseQueue;
import dev.phantom.session.SseRelay;
import dev.phantom.session.StreamActor;
import dev.phantom.tracker.NodeId;
import dev.phantom.util.SystemActors;
import dev.phantom.presence.SessionTracker;
import dev.phantom.tracker.Tracker;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * MCP over Streamable HTTP for one {@link McpServer} on one node of the cluster: the node's directories
 * of sessions and streams, the handler executor, and the {@code /mcp} route. Mount {@link #route()} in
 * any akka-http application:
 *
 * <pre>{@code
 * McpTransport mcp = McpTransport.create(system, server);
 * Http.get(system).newServerAt("127.0.0.1", 8080).bind(concat(mcp.route(), myOtherRoutes));
 * }</pre>
 *
 * Catalogue changes of the server (tools, prompts, resources added or removed) are announced to every
 * session of the cluster through the {@link SessionTracker}'s notifications.
 */
public final class McpTransport {
  private final ActorSystem<?> system;
  private final McpServer server;
  private final McpDispatcher dispatcher;
  private final McpSettings settings;
  private final Tracker tracker;
  private final SessionTracker notifications;
  private final ActorRef<Directory.Command> sessions;
  /** The sessions homed here, kept by the sessions directory: a local lookup needs no message. */
  private final ConcurrentHashMap<String, ActorRef<?>> localSessions = new ConcurrentHashMap<>();
  private final ActorRef<Directory.Command> streams;
  private final ActorRef<Directory.Command> relays;
  private final ActorRef<Directory.Command> listeners;
  private final StatelessProtocol statelessProtocol;
  private final StatelessSettings statelessSettings;
  private final ActorRef<PendingAnswers.Command> answers;
  private final RequestActor.Deps deps;
  private final dev.phantom.session.NodeLoad load;
  private final Executor handlers;
  /**
   * Node-wide actors of other members by path (directories, answer receivers), resolved once. A member
   * that left keeps its entry (a few per member ever seen): its address never comes back, since a
   * restarted node has a new address or, on the same address, is reached again through the same path.
   */
  private final ConcurrentHashMap<String, ActorRef<?>> remoteActors = new ConcurrentHashMap<>();
  private final Map<String, Consumer<McpServer>> changes = new ConcurrentHashMap<>();
  private final ActorRef<CatalogueSync.Command> catalogue;

  private McpTransport(ActorSystem<?> system, McpServer server) {
    this.system = system;
    this.server = server;
    this.dispatcher = new McpDispatcher(server);
    this.settings = McpSettings.fromConfig(system.settings().config());
    HostSettingsCheck.check(system);
    this.notifications = SessionTracker.get(system);
    this.tracker = notifications.tracker();
    this.sessions = system.systemActorOf(Directory.create(localSessions), Directory.SESSIONS, Props.empty());
    this.streams = system.systemActorOf(Directory.create(), Directory.STREAMS, Props.empty());
    this.relays = system.systemActorOf(Directory.create(), Directory.RELAYS, Props.empty());
    this.listeners = system.systemActorOf(Directory.create(), Directory.LISTENERS, Props.empty());
    this.statelessSettings = StatelessSettings.fromConfig(system.settings().config());
    this.statelessProtocol = new StatelessProtocol(dispatcher, stateSeal(statelessSettings),
        statelessSettings.listTtl(), statelessSettings.discoverTtl());
    this.load = new dev.phantom.session.NodeLoad(settings.limits());
    Executor handlers = load.countingHandlers(
        system.dispatchers().lookup(DispatcherSelector.fromConfig("phantom.mcp.handler-dispatcher")));
    this.handlers = handlers;
    PendingAnswers pendingAnswers = new PendingAnswers();
    this.answers = system.systemActorOf(pendingAnswers.behavior(), PendingAnswers.NAME, Props.empty());
    ActorRef<dev.phantom.session.DoneNotices.Command> doneNotices = system.systemActorOf(
        dev.phantom.session.DoneNotices.create(settings.requestEndBatch()), dev.phantom.session.DoneNotices.NAME, Props.empty());
    this.deps = new RequestActor.Deps(dispatcher, settings, handlers, pendingAnswers, load,
        new dev.phantom.session.SessionInfoCache(settings.limits().maxSessionsPerNode()), doneNotices);
    if (tracker.isAvailable()) {
      // A member removed from the cluster takes its running requests with it: the sessions homed here
      // forget them (no per-request remote watch).
      system.systemActorOf(NodeLossNotice.behavior(sessions), "phantom-node-loss", Props.empty());
    }
    this.catalogue = system.systemActorOf(CatalogueSync.node(server, changes), CatalogueSync.NAME,
        Props.empty());
    // On shutdown, close every SSE connection first, so clients reconnect (to another node) at once.
    akka.actor.CoordinatedShutdown.get(akka.actor.typed.javadsl.Adapter.toClassic(system)).addTask(
        akka.actor.CoordinatedShutdown.PhaseServiceUnbind(), "phantom-close-streams", () -> {
          streams.tell(new Directory.Broadcast(dev.phantom.session.StreamActor.CloseConnection.INSTANCE));
          // the streams of requests to sessions homed here are the sessions' children
          sessions.tell(new Directory.Broadcast(dev.phantom.session.SessionActor.CloseRequestStreams.INSTANCE));
          // GET streams of sessions homed elsewhere are served here through relays
          relays.tell(new Directory.Broadcast(SseRelay.Complete.INSTANCE));
          // listen streams end with their final result (a graceful close in 2026-07-28 terms)
          listeners.tell(new Directory.Broadcast(ListenStream.Close.INSTANCE));
          return CompletableFuture.completedFuture(akka.Done.getInstance());
        });
    server.addChangeListener(new McpServer.ChangeListener() {
      public void toolsChanged() {
        notifications.notifyToolList();
      }

      public void promptsChanged() {
        notifications.notifyPromptList();
      }

      public void resourcesChanged() {
        notifications.notifyResourceList();
      }
    });
  }

  /**
   * The seal of MRTR request states: the configured keys, or a random key of this node alone (then a
   * retry that reaches another node is refused, which an operator must hear about).
   */
  private StateSeal stateSeal(StatelessSettings s) {
    List<byte[]> keys = s.stateKeys();
    if (keys.isEmpty()) {
      if (tracker.isAvailable()) {
        system.log().warn("phantom.stateless.state-keys is not set: this node seals 2026-07-28 requestState with a key of its own, "
            + "so an input_required retry that reaches another node of the cluster is refused. Give every node the same key "
            + "(PHANTOM_STATE_KEYS=$(head -c32 /dev/urandom | base64)).");
      }
      keys = List.of(StateSeal.randomKey());
    }
    return new StateSeal(keys, s.stateTtl(), java.time.Clock.systemUTC());
  }

  /** Starts the transport for {@code server} on this node (once per server and node). */
  public static McpTransport create(ActorSystem<?> system, McpServer server) {
    return new McpTransport(system, server);
  }

  /** What a catalogue change announces. */
  public enum Announce {
    TOOLS, PROMPTS, RESOURCES
  }

  /**
   * The outcome of {@link #applyEverywhere}: how many nodes applied the change, and how many session
   * notifications the announcement handed to the sessions' actors (summed over the announced kinds; a
   * node that did not answer the fan-out in time is not counted).
   */
  public record ChangeApplied(int nodes, int sessionsNotified) {}

  /**
   * Registers a named catalogue change on this node. Register the same names on every node (at start):
   * {@link #applyEverywhere} runs the change on each node by name, since code cannot travel between
   * nodes. The change should use the quiet variants ({@code server.addToolOnThisNode(tool, false)}).
   */
  public void registerChange(String name, Consumer<McpServer> change) {
    changes.put(name, change);
  }

  /**
   * Applies a registered change on every node of the cluster and, once every visible node confirmed it
   * (or after {@code phantom.mcp.lookup-timeout}), announces it once to every session ({@code
   * list_changed}). Completes with the number of nodes that applied it and of sessions notified.
   *
   * <pre>{@code
   * mcp.registerChange("add-weather", s -> s.addToolOnThisNode(weatherTool, false));   // on every node
   * mcp.applyEverywhere("add-weather", McpTransport.Announce.TOOLS);         // on any one node
   * }</pre>
   */
  public CompletionStage<ChangeApplied> applyEverywhere(String name, Announce... announce) {
    CompletableFuture<Integer> applied = new CompletableFuture<>();
    if (tracker.isAvailable()) {
      java.util.Set<String> nodes = new java.util.HashSet<>();
      nodes.add(system.address().toString());
      tracker.visibleNodes().forEach(node -> nodes.add(node.address()));
      system.systemActorOf(CatalogueSync.apply(name, nodes, settings.lookupTimeout(), applied),
          "catalogue-change-" + java.util.UUID.randomUUID(), Props.empty());
    } else {
      Consumer<McpServer> change = changes.get(name);
      if (change != null) change.accept(server);
      applied.complete(change == null ? 0 : 1);
    }
    return applied.thenCompose(nodes -> {
      List<CompletableFuture<Integer>> notified = java.util.Arrays.stream(announce).map(a -> (switch (a) {
        case TOOLS -> notifications.notifyToolList();
        case PROMPTS -> notifications.notifyPromptList();
        case RESOURCES -> notifications.notifyResourceList();
      }).toCompletableFuture()).toList();
      return CompletableFuture.allOf(notified.toArray(CompletableFuture[]::new))
          .thenApply(v -> new ChangeApplied(nodes, notified.stream().mapToInt(CompletableFuture::join).sum()));
    });
  }

  /** The route serving {@code /mcp} (POST, GET, DELETE), both protocol eras. */
  public Route route() {
    return route("mcp");
  }

  /**
   * The route serving the MCP endpoint at {@code path} (one path segment, e.g. {@code "mcp"} or
   * {@code "tools-api"}), for a service that mounts it beside its own routes:
   *
   * <pre>{@code
   * Http.get(system).newServerAt("127.0.0.1", 8080).bind(concat(mcp.route("mcp"), ordersRoute));
   * }</pre>
   */
  public Route route(String path) {
    return new McpEndpoint(this).route(path);
  }

  /**
   * Tells every session and listen stream of the cluster subscribed to {@code uri} that it changed
   * ({@code notifications/resources/updated}); completes with how many received it.
   *
   * <pre>{@code
   * orders.onChange(id -> mcp.notifyResourceUpdated("orders://" + id));
   * }</pre>
   */
  public CompletionStage<Integer> notifyResourceUpdated(String uri) {
    return notifications.notifyResourceUpdated(uri);
  }

  /**
   * Reports that the user completed the URL elicitation {@code elicitationId} (handed out by a 2025
   * session's tool), wherever the session is: {@code notifications/elicitation/complete}; completes
   * with how many received it (0 or 1).
   *
   * <pre>{@code
   * // in the service's OAuth callback route:
   * mcp.notifyElicitationComplete(state.elicitationId());
   * }</pre>
   */
  public CompletionStage<Integer> notifyElicitationComplete(String elicitationId) {
    return notifications.notifyElicitationComplete(elicitationId);
  }

  ActorSystem<?> system() {
    return system;
  }

  McpServer server() {
    return server;
  }

  McpDispatcher dispatcher() {
    return dispatcher;
  }

  McpSettings settings() {
    return settings;
  }

  Tracker tracker() {
    return tracker;
  }

  /**
   * Whether this node may take traffic: its notification hub is connected with every Up member (see
   * {@link SessionTracker#isReady()}).
   */
  public boolean isReady() {
    return notifications.isReady();
  }

  StatelessSettings statelessSettings() {
    return statelessSettings;
  }

  StatelessProtocol statelessProtocol() {
    return statelessProtocol;
  }

  /** Spawns a listen stream in this node's listeners directory (closed gracefully at shutdown). */
  CompletionStage<ActorRef<Object>> spawnListener(String id, akka.actor.typed.Behavior<Object> behavior) {
    CompletableFuture<ActorRef<?>> reply = new CompletableFuture<>();
    listeners.tell(new Directory.Spawn(id, behavior, reply));
    @SuppressWarnings("unchecked")
    CompletionStage<ActorRef<Object>> typed = reply.thenApply(r -> (ActorRef<Object>) r);
    return typed;
  }

  /** This node's counts against the limits. */
  dev.phantom.session.NodeLoad load() {
    return load;
  }

  /** The handler executor, its tasks counted against max-handler-tasks. */
  Executor handlers() {
    return handlers;
  }

  RequestActor.Deps deps() {
    return deps;
  }

  /** The session {@code id} if it lives on this node (the sessions directory's view: no message). */
  Optional<ActorRef<Object>> localSession(String id) {
    @SuppressWarnings("unchecked")
    ActorRef<Object> session = (ActorRef<Object>) localSessions.get(id);
    return Optional.ofNullable(session);
  }

  /** The view of this node's sessions that the sessions directory keeps (each session leaves it as it ends). */
  java.util.Map<String, ActorRef<?>> localSessionsView() {
    return localSessions;
  }

  /** Spawns an actor under {@code id} in a local directory. */
  <T> CompletionStage<ActorRef<T>> spawn(boolean session, String id, akka.actor.typed.Behavior<T> behavior) {
    CompletableFuture<ActorRef<?>> reply = new CompletableFuture<>();
    (session ? sessions : streams).tell(new Directory.Spawn(id, behavior, reply));
    @SuppressWarnings("unchecked")
    CompletionStage<ActorRef<T>> typed = reply.thenApply(r -> (ActorRef<T>) r);
    return typed;
  }

  /** This node's stream directory (sessions spawn their GET streams there). */
  ActorRef<Directory.Command> streams() {
    return streams;
  }

  /** A relay for an SSE connection served here, for a stream that writes to it from any node. */
  CompletionStage<ActorRef<SseRelay.Command>> spawnRelay(
      SseQueue queue, ActorRef<StreamActor.Command> stream, long connectionId) {
    CompletableFuture<ActorRef<?>> reply = new CompletableFuture<>();
    relays.tell(new Directory.Spawn("relay-" + connectionId, SseRelay.create(queue, stream, connectionId), reply));
    @SuppressWarnings("unchecked")
    CompletionStage<ActorRef<SseRelay.Command>> typed = reply.thenApply(r -> (ActorRef<SseRelay.Command>) r);
    return typed;
  }

  /**
   * The node waiting for the answer to the server-to-client request {@code id} (its id names it):
   * empty when no member minted it; fails (503) when that member is unreachable.
   */
  Optional<ActorRef<PendingAnswers.Command>> answersFor(String id) {
    return home(id).map(node -> node.equals(tracker.selfNode()) ? answers
        : remote(node.address(), PendingAnswers.NAME));
  }

  /**
   * The sessions directory on the home node of session {@code id}, without a lookup round trip: a
   * request registers there, and the directory answers at once when it has no such session. Empty when
   * no member minted the id; fails (503) when that member is unreachable. Other nodes' directories are
   * resolved once per node and kept (resolving an actor path costs more than the message it addresses).
   */
  Optional<ActorRef<Directory.Command>> sessionsDirectoryFor(String id) {
    return home(id).map(node -> node.equals(tracker.selfNode()) ? sessions : remote(node.address(), Directory.SESSIONS));
  }

  /** A node-wide actor of another member, resolved once. */
  @SuppressWarnings("unchecked")
  private <T> ActorRef<T> remote(String address, String name) {
    return (ActorRef<T>) remoteActors.computeIfAbsent(address + "/system/" + name,
        key -> SystemActors.on(system, address, name));
  }

  /** The member an id names as its home; empty if none; fails (503) when that member is unreachable. */
  private Optional<NodeId> home(String id) {
    Optional<NodeId> home = tracker.homeOf(id);
    // An unreachable home has not left: its sessions may be alive, so "try again" (503), not 404.
    if (home.isEmpty() && tracker.isHomeUnreachable(id)) {
      throw new HomeUnreachable("home of " + id + " is unreachable");
    }
    return home;
  }

  /** The home member of an id is unreachable: answered 503 (retry). */
  static final class HomeUnreachable extends RuntimeException {
    private static final long serialVersionUID = 1L;

    HomeUnreachable(String message) {
      super(message, null, false, false);
    }
  }

  /**
   * Finds a session or stream by id on its home node (named by the id): authoritative, so "empty" means
   * unknown or ended. Fails when the home does not answer in time.
   */
  <T> CompletionStage<Optional<ActorRef<T>>> lookup(boolean session, String id) {
    Optional<NodeId> home;
    try {
      home = home(id);
    } catch (HomeUnreachable e) {
      return CompletableFuture.failedFuture(new java.util.concurrent.TimeoutException(e.getMessage()));
    }
    if (home.isEmpty()) return CompletableFuture.completedFuture(Optional.empty());
    ActorRef<Directory.Command> directory;
    if (home.get().equals(tracker.selfNode())) {
      if (session) {
        @SuppressWarnings("unchecked")
        Optional<ActorRef<T>> local = localSession(id).map(ref -> (ActorRef<T>) ref);
        return CompletableFuture.completedFuture(local);
      }
      directory = streams;
    } else {
      directory = remote(home.get().address(), session ? Directory.SESSIONS : Directory.STREAMS);
    }
    return Stages.<Directory.Command, Directory.Found>ask(
            directory, replyTo -> new Directory.Lookup(id, replyTo), settings.lookupTimeout(), system.scheduler())
        .thenApply(found -> {
          @SuppressWarnings("unchecked")
          Optional<ActorRef<T>> ref = found.asOptional().map(r -> (ActorRef<T>) r);
          return ref;
        });
  }
}
