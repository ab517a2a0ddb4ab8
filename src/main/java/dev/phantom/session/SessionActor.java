package dev.phantom.session;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.Terminated;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.TimerScheduler;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.phantom.mcp.ConnectHook;
import dev.phantom.mcp.Json;
import dev.phantom.mcp.JsonRpc;
import dev.phantom.mcp.LogLevel;
import dev.phantom.presence.SessionNotification;
import dev.phantom.presence.SessionTracker;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * The authority for one MCP session, on the node that served {@code initialize} (the session id names
 * that node). It holds the negotiated version, the client's info and capabilities, the log level, the
 * resource subscriptions, the running requests (one per JSON-RPC id: the duplicate check) and the
 * session's GET stream (answers to server-to-client requests go to the requests' own nodes: {@link
 * PendingAnswers}). Every decision about the session is made
 * here, one message at a time, so it is linearizable. It is tracked under {@code phantom:sessions} and
 * registered with its node's notification hub, which delivers list_changed, resources/updated and
 * elicitation/complete; it writes them to the GET stream (or keeps them, up to a bound, until one opens).
 * A resource subscription is registered with the hub before the client's request is answered, so an
 * update notified on any node after the client saw its answer reaches the session.
 *
 * <p>Its message type is {@code Object} because the hub delivers {@link SessionNotification}s as is.
 */
public final class SessionActor {

  /** Messages of the session's own protocol (the tracker's notifications come besides). */
  public sealed interface Command extends ClusterMessage {}

  /**
   * A request of {@code principal} (null: anonymous) asks to run under {@code requestId}. The session
   * answers {@link RequestActor.Registered}, or {@link RequestActor.Refused} for another principal or
   * too many requests at once.
   */
  public record RegisterRequest(String requestId, String principal, ActorRef<RequestActor.Command> request,
      long knownInfoVersion) implements Command {}

  public record RequestDone(String requestId, ActorRef<RequestActor.Command> request) implements Command {}

  /**
   * Local only: a request that arrived on the session's home node. The session decides on it as on a
   * {@link RegisterRequest} and spawns its {@link RequestActor} as a child under {@code streamId}, with
   * the outcome: no directory in between, no registration round trip. It first takes {@code handoff},
   * which the HTTP side gives up after {@code lookup-timeout} (then answered 503, and nothing runs).
   */
  public record ServeRequest(JsonRpc.Request request, String principal, String streamId, long admittedAt,
      ResponseStarter starter, Handoff handoff) {}

  /** Finds a POST stream of this session served on its home node (a child of the session). */
  public record FindStream(String streamId, ActorRef<Directory.Found> replyTo) implements Command {}

  /** Local only: close the connections of this session's request streams (the node shuts down). */
  public enum CloseRequestStreams {
    INSTANCE
  }

  public record Accepted(boolean accepted) implements ClusterMessage {}

  /** A client's notification; refused ({@code Accepted(false)}) from another principal. */
  public record ClientNotification(String method, JsonNode params, String principal, ActorRef<Accepted> replyTo)
      implements Command {}

  /**
   * Opens the session's GET stream, written to {@code relay} (on the node serving the connection). The
   * stream is spawned here, on the home node; the reply names it, or is empty when a GET stream is
   * already connected (409).
   */
  public record OpenGetStream(ActorRef<SseRelay.Command> relay, long connectionId, String principal,
      ActorRef<GetStreamOpened> replyTo) implements Command {}

  /**
   * Opens the session's GET stream when the connection is on the session's home node: the stream
   * writes to the response queue directly, with no relay. Local only.
   */
  public record OpenLocalGetStream(SseSink.Local sink, String principal, ActorRef<GetStreamOpened> replyTo)
      implements Command {}

  /** The opened stream, or null with the reason: {@code refusal} (another principal), else a conflict. */
  public record GetStreamOpened(ActorRef<StreamActor.Command> stream, Refusal refusal) implements ClusterMessage {}

  /**
   * The serving node gave up waiting for {@link GetStreamOpened} (it answered 503 and ended the
   * connection): if the open of {@code connectionId} went through meanwhile, that stream writes to
   * nothing, so it is ended — otherwise it would count as the session's connected GET stream (a retry
   * would get 409) and swallow notifications.
   */
  public record GetConnectionAbandoned(long connectionId) implements Command {}

  private record GetStreamSpawned(SseSink sink, ActorRef<GetStreamOpened> replyTo, ActorRef<StreamActor.Command> stream) {}

  public record GetStreamState(ActorRef<StreamActor.Command> stream, boolean connected) implements Command {}

  public record SetLogLevel(LogLevel level, ActorRef<Accepted> replyTo) implements Command {}

  public record Subscribe(String uri, ActorRef<Accepted> replyTo) implements Command {}

  public record Unsubscribe(String uri, ActorRef<Accepted> replyTo) implements Command {}

  /**
   * Lists a URL elicitation id under this session in the tracker's index (the request's node registered
   * the session with its notification hub, which delivers the completion).
   */
  public record TrackElicitation(String elicitationId) implements Command {}

  /** DELETE: end the session; refused ({@code Accepted(false)}) from another principal. */
  public record Terminate(String principal, ActorRef<Accepted> replyTo) implements Command {}

  /**
   * A member left the cluster for good (removed after being downed): the requests it ran will never
   * report their end, so the session forgets them (their ids may be used again, and the session can
   * idle out). Sent by the node to every session it homes.
   */
  public record NodeLost(akka.actor.Address address) implements Command {}

  private record ElicitationExpired(String elicitationId) {}

  private enum IdleCheck {
    INSTANCE
  }

  /** What {@code initialize} established; {@code ready} completes once the session is tracked. */
  public record Init(String sessionId, String protocolVersion, ObjectNode clientInfo, ObjectNode clientCapabilities,
      String principal, ConnectHook.AllowList allowList, CompletableFuture<Void> ready) {}

  /**
   * The session of {@code init}; {@code load} counted it (admitSession) and is released when it stops.
   * {@code localView} is the node's view of its sessions (kept by the sessions directory): the session
   * leaves it as it ends, before it answers a DELETE, so no request that follows is sent to it.
   */
  public static Behavior<Object> create(Init init, McpSettings settings, ActorRef<Directory.Command> streams, NodeLoad load,
      Map<String, ActorRef<?>> localView, RequestActor.Deps requests) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers ->
        new SessionActor(ctx, timers, init, settings, streams, load, localView, requests).start()));
  }

  /** @param streams this node's stream directory, where the session's GET streams are spawned */
  public static Behavior<Object> create(Init init, McpSettings settings, ActorRef<Directory.Command> streams) {
    return create(init, settings, streams, null, null, null);
  }

  private final ActorContext<Object> ctx;
  private final TimerScheduler<Object> timers;
  private final Map<String, ActorRef<?>> localView;
  /** What the requests this session spawns (those that arrive on its home node) need from the node. */
  private final RequestActor.Deps requests;
  private final Init init;
  private final McpSettings settings;
  private final SessionTracker tracker;
  private final ActorRef<Directory.Command> streams;
  private final NodeLoad load;
  /** URL elicitations awaiting completion, oldest first (each listed in the tracker's index). */
  private final java.util.LinkedHashSet<String> elicitations = new java.util.LinkedHashSet<>();
  private LogLevel logLevel = LogLevel.INFO;
  /** Counts the changes of what {@link #info()} holds (the log level), for the nodes that cache it. */
  private long infoVersion = 1;
  private final Set<String> subscriptions = new HashSet<>();
  private final Map<String, ActorRef<RequestActor.Command>> running = new HashMap<>();
  /**
   * Ids of requests already answered, newest last, bounded: a client must not reuse an id within a
   * session, so a late retry of a finished request (a proxy retry that landed on another node) is
   * refused instead of running the handler a second time.
   */
  private final java.util.LinkedHashSet<String> answered = new java.util.LinkedHashSet<>();
  // Small at first: most sessions have their GET stream open and never queue a notification.
  private final Deque<JsonNode> undelivered = new ArrayDeque<>(2);
  private ActorRef<StreamActor.Command> getStream;
  private boolean getStreamConnected;
  /** A GET stream is being spawned: a second open meanwhile is a conflict too. */
  private boolean getStreamOpening;
  /** The connection of the GET stream being opened, and whether its serving node has abandoned it. */
  private long openingConnection = -1;
  private boolean openingAbandoned;
  /** The connection the current GET stream was opened with. */
  private long getStreamConnection = -1;
  private long lastActivity = System.nanoTime();

  private SessionActor(ActorContext<Object> ctx, TimerScheduler<Object> timers, Init init, McpSettings settings,
      ActorRef<Directory.Command> streams, NodeLoad load, Map<String, ActorRef<?>> localView, RequestActor.Deps requests) {
    this.ctx = ctx;
    this.requests = requests;
    this.load = load;
    this.localView = localView;
    this.timers = timers;
    this.init = init;
    this.settings = settings;
    this.tracker = SessionTracker.get(ctx.getSystem());
    this.streams = streams;
  }

  private Behavior<Object> start() {
    tracker.trackSession(ctx.getSelf(), init.sessionId(),
            Map.of("protocolVersion", init.protocolVersion(), "client", clientName()))
        .whenComplete((r, e) -> {
          if (e != null) init.ready().completeExceptionally(e);
          else init.ready().complete(null);
        });
    timers.startTimerWithFixedDelay(IdleCheck.INSTANCE, settings.sessionIdleTimeout().dividedBy(4).plusMillis(1));
    // One dispatch method instead of a receive built per actor: a built receive is ~20 case objects per
    // session, allocated on every initialize and kept for the session's life.
    return Behaviors.receive(this::onMessage, this::onSignal);
  }

  private Behavior<Object> onMessage(ActorContext<Object> context, Object message) {
    if (message instanceof ServeRequest m) return onServeRequest(m);
    if (message instanceof RegisterRequest m) return onRegisterRequest(m);
    if (message instanceof FindStream m) {
      m.replyTo().tell(new Directory.Found(ctx.getChild(m.streamId()).orElse(null)));
      return Behaviors.same();
    }
    if (message == CloseRequestStreams.INSTANCE) {
      ctx.getChildren().forEach(child -> child.unsafeUpcast().tell(StreamActor.CloseConnection.INSTANCE));
      return Behaviors.same();
    }
    if (message instanceof RequestDone m) {
      if (running.remove(m.requestId(), m.request())) {
        answered.add(m.requestId());
        if (answered.size() > settings.answeredRequestIds()) answered.remove(answered.iterator().next());
      }
      return Behaviors.same();
    }
    if (message instanceof ClientNotification m) return onClientNotification(m);
    if (message instanceof OpenGetStream m) {
      return openGetStream(new SseSink.Remote(m.relay(), m.connectionId()), m.principal(), m.replyTo());
    }
    if (message instanceof OpenLocalGetStream m) return openGetStream(m.sink(), m.principal(), m.replyTo());
    if (message instanceof GetStreamSpawned m) return onGetStreamSpawned(m);
    if (message instanceof GetConnectionAbandoned m) return onGetConnectionAbandoned(m);
    if (message instanceof GetStreamState m) {
      if (m.stream().equals(getStream)) getStreamConnected = m.connected();
      return Behaviors.same();
    }
    if (message instanceof SetLogLevel m) {
      logLevel = m.level();
      infoVersion++;
      running.values().forEach(r -> r.tell(new RequestActor.LevelChanged(m.level())));
      m.replyTo().tell(new Accepted(true));
      return touched();
    }
    if (message instanceof Subscribe m) {
      if (!subscriptions.contains(m.uri())) {
        if (subscriptions.size() >= settings.limits().maxSubscriptionsPerSession() || (load != null && !load.admitSubscription())) {
          m.replyTo().tell(new Accepted(false));
          return touched();
        }
        subscriptions.add(m.uri());
        tracker.subscribeResource(ctx.getSelf(), m.uri(), Map.of("session", init.sessionId()));
      }
      m.replyTo().tell(new Accepted(true));
      return touched();
    }
    if (message instanceof Unsubscribe m) {
      if (subscriptions.remove(m.uri())) {
        tracker.unsubscribeResource(ctx.getSelf(), m.uri());
        if (load != null) load.releaseSubscriptions(1);
      }
      m.replyTo().tell(new Accepted(true));
      return touched();
    }
    if (message instanceof TrackElicitation m) return onTrackElicitation(m.elicitationId());
    if (message instanceof ElicitationExpired m) {
      if (elicitations.remove(m.elicitationId())) untrackElicitation(m.elicitationId());
      return Behaviors.same();
    }
    if (message instanceof Terminate m) {
      if (!isOwner(m.principal())) {
        m.replyTo().tell(new Accepted(false));
        return Behaviors.same();
      }
      end("session terminated");
      m.replyTo().tell(new Accepted(true));
      return Behaviors.stopped();
    }
    if (message instanceof NodeLost m) {
      running.values().removeIf(request -> m.address().equals(request.path().address()));
      return Behaviors.same();
    }
    if (message instanceof SessionNotification.ListChanged m) return notifyClient(m.kind().method(), null);
    if (message instanceof SessionNotification.ResourceUpdated m) {
      return subscriptions.contains(m.uri())
          ? notifyClient("notifications/resources/updated", Json.object().put("uri", m.uri()))
          : Behaviors.same();
    }
    if (message instanceof SessionNotification.ElicitationComplete m) {
      if (elicitations.remove(m.elicitationId())) untrackElicitation(m.elicitationId());
      return notifyClient("notifications/elicitation/complete", Json.object().put("elicitationId", m.elicitationId()));
    }
    if (message == IdleCheck.INSTANCE) return onIdleCheck();
    return Behaviors.unhandled();
  }

  private Behavior<Object> onSignal(ActorContext<Object> context, akka.actor.typed.Signal signal) {
    if (signal instanceof akka.actor.typed.PostStop && load != null) {
      load.releaseSession(init.principal());
      load.releaseSubscriptions(subscriptions.size());
    }
    if (signal instanceof Terminated t && t.getRef().equals(getStream)) {
      getStream = null;
      getStreamConnected = false;
    }
    return Behaviors.same();
  }

  private Behavior<Object> onRegisterRequest(RegisterRequest m) {
    RequestActor.Command outcome = decide(m.requestId(), m.principal(), m.knownInfoVersion());
    if (isAccepted(outcome)) running.put(m.requestId(), m.request());
    m.request().tell(outcome);
    return touched();
  }

  private Behavior<Object> onServeRequest(ServeRequest m) {
    // Taken too late: the client was answered 503 and the request is not counted any more.
    if (!m.handoff().take()) return Behaviors.same();
    String requestId = Json.write(m.request().id());
    RequestActor.Command outcome = decide(requestId, m.principal(), -1);
    ActorRef<Object> request = ctx.spawn(RequestActor.createRegistered(m.request(), init.sessionId(), m.principal(),
        m.streamId(), m.admittedAt(), m.starter(), requests, outcome), m.streamId());
    if (isAccepted(outcome)) running.put(requestId, request.narrow());
    return touched();
  }

  /**
   * The session's decision on a request: {@link RequestActor.Registered} (ok, or not: its id is
   * running or was answered), or {@link RequestActor.Refused} for another principal or too many at
   * once. The caller counts an accepted request as running.
   */
  private RequestActor.Command decide(String requestId, String principal, long knownInfoVersion) {
    if (!isOwner(principal)) return new RequestActor.Refused(Refusal.otherPrincipal());
    if (running.containsKey(requestId) || answered.contains(requestId)) {
      return new RequestActor.Registered(false, null, 0, null);
    }
    if (running.size() >= settings.limits().maxInFlightPerSession()) {
      return new RequestActor.Refused(
          Refusal.tooMany("requests in flight in this session", settings.limits().maxInFlightPerSession()));
    }
    // The info only when the requester's node does not have this version of it (SessionInfoCache).
    return new RequestActor.Registered(true, knownInfoVersion == infoVersion ? null : info(), infoVersion, ctx.getSelf());
  }

  private static boolean isAccepted(RequestActor.Command outcome) {
    return outcome instanceof RequestActor.Registered r && r.ok();
  }

  private Behavior<Object> onClientNotification(ClientNotification m) {
    if (!isOwner(m.principal())) {
      m.replyTo().tell(new Accepted(false));
      return Behaviors.same();
    }
    m.replyTo().tell(new Accepted(true));
    if (m.method().equals("notifications/cancelled") && m.params() != null) {
      JsonNode requestId = m.params().get("requestId");
      if (requestId != null) {
        ActorRef<RequestActor.Command> request = running.get(Json.write(requestId));
        String reason = m.params().path("reason").asText("cancelled by the client");
        if (request != null) request.tell(new RequestActor.Cancel(reason));
      }
    }
    // notifications/initialized, progress and roots/list_changed need no action here.
    return touched();
  }

  private Behavior<Object> openGetStream(SseSink sink, String principal, ActorRef<GetStreamOpened> replyTo) {
    if (!isOwner(principal)) {
      sink.complete();
      replyTo.tell(new GetStreamOpened(null, Refusal.otherPrincipal()));
      return Behaviors.same();
    }
    if ((getStream != null && getStreamConnected) || getStreamOpening) {
      sink.complete();
      replyTo.tell(new GetStreamOpened(null, null));
      return Behaviors.same();
    }
    getStreamOpening = true;
    openingConnection = sink.connectionId();
    openingAbandoned = false;
    String streamId = tracker.tracker().mintId();
    CompletableFuture<ActorRef<?>> spawned = new CompletableFuture<>();
    streams.tell(new Directory.Spawn(streamId, StreamActor.createGet(streamId, init.sessionId(), init.principal(), sink, settings,
        ctx.getSelf()), spawned));
    ctx.pipeToSelf(spawned, (ref, failure) -> {
      @SuppressWarnings("unchecked")
      ActorRef<StreamActor.Command> stream = failure == null ? (ActorRef<StreamActor.Command>) ref : null;
      return new GetStreamSpawned(sink, replyTo, stream);
    });
    return touched();
  }

  private Behavior<Object> onGetStreamSpawned(GetStreamSpawned m) {
    getStreamOpening = false;
    if (m.stream() == null || openingAbandoned) {
      if (m.stream() != null) m.stream().tell(StreamActor.End.INSTANCE);
      m.sink().complete();
      m.replyTo().tell(new GetStreamOpened(null, null));
      return Behaviors.same();
    }
    if (getStream != null) getStream.tell(StreamActor.End.INSTANCE);
    getStream = m.stream();
    getStreamConnected = true;
    getStreamConnection = m.sink().connectionId();
    ctx.watch(getStream);
    // The priming event gives the client a Last-Event-ID even before the first message (2025-11-25).
    if (init.protocolVersion().compareTo("2025-11-25") >= 0) getStream.tell(StreamActor.Prime.INSTANCE);
    while (!undelivered.isEmpty()) getStream.tell(new StreamActor.Send(undelivered.removeFirst()));
    m.replyTo().tell(new GetStreamOpened(getStream, null));
    return Behaviors.same();
  }

  private Behavior<Object> onGetConnectionAbandoned(GetConnectionAbandoned m) {
    if (getStreamOpening && openingConnection == m.connectionId()) {
      openingAbandoned = true;
    } else if (getStream != null && getStreamConnection == m.connectionId()) {
      getStream.tell(StreamActor.End.INSTANCE);
      getStreamConnected = false;
    }
    return Behaviors.same();
  }

  private Behavior<Object> notifyClient(String method, JsonNode params) {
    JsonNode message = JsonRpc.notification(method, params);
    if (getStream != null) {
      getStream.tell(new StreamActor.Send(message));
    } else {
      undelivered.addLast(message);
      while (undelivered.size() > settings.pendingNotifications()) undelivered.removeFirst();
    }
    return Behaviors.same();
  }

  private Behavior<Object> onIdleCheck() {
    boolean idle = System.nanoTime() - lastActivity > settings.sessionIdleTimeout().toNanos();
    if (idle && running.isEmpty() && !getStreamConnected) {
      ctx.getLog().debug("session {} expired after {} idle", dev.phantom.util.LogIds.of(init.sessionId()), settings.sessionIdleTimeout());
      end("session expired");
      return Behaviors.stopped();
    }
    return Behaviors.same();
  }

  /** The client's name as the cluster-wide index lists it: short, since every node keeps a copy. */
  private String clientName() {
    String name = init.clientInfo().path("name").asText("");
    return name.length() <= 128 ? name : name.substring(0, 128);
  }

  /** Whether a request of {@code principal} may act on this session: only the principal that opened it. */
  private boolean isOwner(String principal) {
    return java.util.Objects.equals(principal, init.principal());
  }

  /**
   * Lists a URL elicitation under this session in the tracker's index until it completes or its
   * retention ends; a session awaits at most max-pending-server-requests of them (the oldest is dropped).
   */
  private Behavior<Object> onTrackElicitation(String elicitationId) {
    if (!elicitations.add(elicitationId)) return Behaviors.same();
    tracker.tracker().track(SessionTracker.REQUESTS_TOPIC, elicitationId, ctx.getSelf(),
        Map.of("type", "elicitation", "session", init.sessionId()));
    timers.startSingleTimer("elicitation:" + elicitationId, new ElicitationExpired(elicitationId),
        settings.limits().urlElicitationRetention());
    while (elicitations.size() > settings.limits().maxPendingServerRequests()) {
      String oldest = elicitations.iterator().next();
      elicitations.remove(oldest);
      untrackElicitation(oldest);
    }
    return Behaviors.same();
  }

  private void untrackElicitation(String elicitationId) {
    timers.cancel("elicitation:" + elicitationId);
    // Every node's hub forgets its waiters for the id too (the request that sent it registered one).
    tracker.untrackRequest(elicitationId);
  }

  private void end(String reason) {
    if (localView != null) localView.remove(init.sessionId(), ctx.getSelf());
    // Off the hub at once, so a notification published after the client saw the end counts it no more.
    tracker.untrack(ctx.getSelf());
    running.values().forEach(r -> r.tell(new RequestActor.Cancel(reason)));
    if (getStream != null) getStream.tell(StreamActor.End.INSTANCE);
  }

  private Behavior<Object> touched() {
    lastActivity = System.nanoTime();
    return Behaviors.same();
  }

  private SessionInfo info() {
    return new SessionInfo(init.sessionId(), init.protocolVersion(), init.clientInfo(), init.clientCapabilities(),
        logLevel, init.principal(), init.allowList());
  }
}
