package dev.phantom.session;

import dev.phantom.util.Stages;
import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.PostStop;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.TimerScheduler;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.phantom.mcp.ClientResponse;
import dev.phantom.mcp.Json;
import dev.phantom.mcp.InputRounds;
import dev.phantom.mcp.JsonRpc;
import dev.phantom.mcp.LogLevel;
import dev.phantom.mcp.McpDispatcher;
import dev.phantom.mcp.McpError;
import dev.phantom.mcp.SessionOps;
import dev.phantom.presence.SessionTracker;
import dev.phantom.tracker.Tracker;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client request and the SSE stream of its response, in one actor on the node that received its
 * POST, named by the stream's id so a client can resume the stream there. A request to a session homed
 * on that node is spawned by the session itself, which has already decided on it ({@link
 * SessionActor.ServeRequest}); a request to a session homed elsewhere is spawned in the node's streams
 * directory and registers its id with the session (the duplicate check) first. It runs the handler
 * (in place when it cannot block, else on the handler executor), writes what the handler sends (logs,
 * progress, server-to-client requests) and finally the response on the stream. A server-to-client
 * request's id names this node and is registered in its {@link PendingAnswers} before the request is
 * written, so the client's answer can be POSTed to any node.
 *
 * <p>The actor takes both protocols: {@link Command} for the request and {@link StreamActor.Command} for
 * its stream, which it hands to the stream's logic ({@link StreamActor#handle}). When the request ends
 * the actor lives on only as long as its stream does: a response answered within {@code sse-hold-back}
 * ends both at once; a streamed one is kept for resumption ({@code stream-retention}).
 */
public final class RequestActor {
  private static final Logger log = LoggerFactory.getLogger(RequestActor.class);

  public sealed interface Command {}

  /**
   * The session's answer to a registration; {@code session} is the session actor itself (not a path).
   * {@code info} is null when the registration named {@code infoVersion} as known on its node.
   */
  public record Registered(boolean ok, SessionInfo info, long infoVersion, ActorRef<Object> session)
      implements Command, ClusterMessage {}

  /** The session refused the request before it ran (another principal, a limit). */
  public record Refused(Refusal refusal) implements Command, ClusterMessage {}

  /** The session's home has no such session (the answer to a registration through its directory). */
  public enum NoSession implements Command, ClusterMessage {
    INSTANCE
  }

  public record Answered(String id, JsonNode result, ObjectNode error) implements Command, ClusterMessage {}

  public record LevelChanged(LogLevel level) implements Command, ClusterMessage {}

  public record Cancel(String reason) implements Command, ClusterMessage {}

  record Log(LogLevel level, JsonNode data) implements Command {}

  record Progress(double progress, Double total, String message) implements Command {}

  record Outbound(String method, ObjectNode params, Capability needs, CompletableFuture<ClientResponse> reply)
      implements Command {}

  record TrackElicitation(String elicitationId) implements Command {}

  enum CloseConnection implements Command {
    INSTANCE
  }

  private record Completed(JsonNode result, Throwable failure) implements Command {}

  private record OutboundTimeout(String id) implements Command {}

  private enum RegistrationTimeout implements Command {
    INSTANCE
  }

  /** What the client must have declared for an outbound request. */
  enum Capability {
    NONE, ELICITATION_FORM, ELICITATION_URL, SAMPLING
  }

  /** Everything the request needs from its node. */
  public record Deps(McpDispatcher dispatcher, McpSettings settings, Executor handlerExecutor, PendingAnswers answers,
      NodeLoad load, SessionInfoCache infoCache, ActorRef<DoneNotices.Command> doneNotices) {}

  private enum Phase {
    /** Waiting for the session's answer to the registration. */
    REGISTERING,
    /** The handler runs. */
    RUNNING,
    /** Answered, refused or cancelled: only the stream is left. */
    DONE
  }

  /**
   * A request of {@code principal} (null: anonymous) in session {@code sessionId} homed on another
   * node, whose response is the stream {@code streamId}, started by {@code starter}. The request
   * registers through the home's sessions directory {@code sessions}, and then talks to the session actor
   * that answers (no actor path resolved per request). The caller counted it with {@code
   * deps.load().admitRequest()}; it is released when the request ends.
   */
  public static Behavior<Object> create(JsonRpc.Request request, String sessionId, String principal,
      ActorRef<Directory.Command> sessions, String streamId, long admittedAt, ResponseStarter starter, Deps deps) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
      RequestActor actor =
          new RequestActor(ctx, timers, request, sessionId, principal, sessions, streamId, admittedAt, starter, deps);
      actor.register(principal);
      return actor.behavior();
    }));
  }

  /**
   * A request that its session (on this node) has already decided on: {@code outcome} is what a
   * registration would have answered. Spawned by the session as its child.
   */
  static Behavior<Object> createRegistered(JsonRpc.Request request, String sessionId, String principal, String streamId,
      long admittedAt, ResponseStarter starter, Deps deps, Command outcome) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
      RequestActor actor =
          new RequestActor(ctx, timers, request, sessionId, principal, null, streamId, admittedAt, starter, deps);
      actor.onRequestMessage(outcome);
      return actor.streamAlive ? actor.behavior() : Behaviors.stopped();
    }));
  }

  private final ActorContext<Object> ctx;
  private final ActorRef<Command> self;
  private final TimerScheduler<Object> timers;
  private final JsonRpc.Request request;
  private final String requestKey;
  private final String sessionId;
  /** The sessions directory of the session's home on another node; null for a request its session spawned. */
  private final ActorRef<Directory.Command> sessions;
  /** The session actor as it answered the registration (null before): a ref the notification hub can watch. */
  private ActorRef<Object> session;
  /** What this node knew of the session when the registration left (its version went with it). */
  private SessionInfoCache.Known known;
  private final StreamActor stream;
  /** False once the stream is over: the actor stops. */
  private boolean streamAlive = true;
  private final Deps deps;
  private final ServerRequests serverRequests;
  private Phase phase = Phase.REGISTERING;
  /** When the request was admitted ({@link System#nanoTime}): its response is held back from then. */
  private final long admittedAt;
  private SessionInfo info;
  private LogLevel level;
  private RequestContextImpl context;

  private RequestActor(ActorContext<Object> ctx, TimerScheduler<Object> timers, JsonRpc.Request request,
      String sessionId, String principal, ActorRef<Directory.Command> sessions, String streamId, long admittedAt,
      ResponseStarter starter, Deps deps) {
    this.ctx = ctx;
    this.self = ctx.getSelf().narrow();
    this.admittedAt = admittedAt;
    this.stream = StreamActor.heldBack(ctx, ctx.getSelf().narrow(), timers, streamId, sessionId, principal, starter,
        deps.settings());
    this.timers = timers;
    this.request = request;
    this.requestKey = Json.write(request.id());
    this.sessionId = sessionId;
    this.sessions = sessions;
    this.deps = deps;
    this.serverRequests = new ServerRequests(deps.answers(), deps.settings().limits().maxPendingServerRequests());
  }

  private Behavior<Object> behavior() {
    return Behaviors.receive((context, message) -> {
      if (message instanceof Command m) onRequestMessage(m);
      else if (message instanceof StreamActor.Command m) toStream(m);
      else return Behaviors.unhandled();
      return streamAlive ? Behaviors.same() : Behaviors.stopped();
    }, (context, signal) -> {
      if (signal instanceof PostStop) {
        // Stopped before the request or its stream ended: with its session (a child of the session
        // ended by DELETE or expiry), or as the node shuts down. The client's response ends too.
        if (phase != Phase.DONE) abandon();
        if (streamAlive) {
          streamAlive = false;
          stream.handle(StreamActor.End.INSTANCE);
        }
      } else {
        stream.onSignal(signal);
      }
      return Behaviors.same();
    });
  }

  private void toStream(StreamActor.Command message) {
    if (streamAlive) streamAlive = stream.handle(message);
  }

  /**
   * Registers through the home's sessions directory, which answers at once when there is no such
   * session (no lookup round trip first). No answer within {@code lookup-timeout} (the home is
   * overloaded, or the session ended while the registration was on its way) is answered 503.
   */
  private void register(String principal) {
    known = deps.infoCache().get(sessionId);
    sessions.tell(new Directory.RegisterWithSession(sessionId,
        new SessionActor.RegisterRequest(requestKey, principal, self, known == null ? 0 : known.version())));
    timers.startSingleTimer(RegistrationTimeout.INSTANCE, deps.settings().lookupTimeout());
  }

  private void onRequestMessage(Command message) {
    switch (phase) {
      case REGISTERING -> {
        if (message instanceof Registered m) onRegistered(m);
        else if (message instanceof Refused m) refused(m.refusal());
        else if (message instanceof Cancel) finish(null);
        else if (message == NoSession.INSTANCE) refused(Refusal.sessionNotFound());
        else if (message == RegistrationTimeout.INSTANCE) refused(Refusal.homeTimedOut());
      }
      case RUNNING -> onRunning(message);
      // Late answers, level changes or cancellations of a request that has ended: nothing to do.
      case DONE -> { }
    }
  }

  /** Refused before it ran: the session never counted it (or, timed out, forgets it on its own). */
  private void refused(Refusal refusal) {
    toStream(new StreamActor.Refused(refusal, JsonRpc.error(request.id(), refusal.error())));
    ended();
  }

  private void onRegistered(Registered m) {
    // From here on the session cancels this request when it ends.
    timers.cancel(RegistrationTimeout.INSTANCE);
    if (!m.ok()) {
      // Another POST with this id is running: a retry must not run the handler twice.
      toStream(new StreamActor.Finish(JsonRpc.error(request.id(),
          McpError.invalidRequest("duplicate request id " + requestKey
              + ": a request with this id is running or was answered in this session"))));
      ended();
      return;
    }
    if (m.info() != null) {
      info = m.info();
      // A session on another node: its info is kept for the node's next registration.
      if (sessions != null) deps.infoCache().put(sessionId, m.infoVersion(), info);
    } else {
      info = known.info();
    }
    session = m.session();
    level = info.logLevel();
    phase = Phase.RUNNING;
    // Older clients choke on the priming event's empty data; 2025-11-25 clients resume from it.
    if (info.protocolVersion().compareTo("2025-11-25") >= 0) toStream(StreamActor.Prime.INSTANCE);
    JsonNode progressToken = request.params() == null ? null : request.params().path("_meta").get("progressToken");
    context = new RequestContextImpl(ctx.getSystem(), self, info, progressToken);
    SessionOps ops = sessionOps();
    InputRounds.Mode input = new InputRounds.Ask(context::answer, deps.handlerExecutor());
    CompletableFuture<JsonNode> result;
    try {
      result = deps.dispatcher().serveOn(deps.handlerExecutor(), request.method(), request.params(),
          () -> deps.dispatcher().dispatch(request.method(), request.params(), ops, context, info.allowList(), input));
    } catch (java.util.concurrent.RejectedExecutionException e) {
      // The node admitted the request but the handler queue filled meanwhile.
      result = CompletableFuture.failedFuture(new McpError(McpError.SERVER_ERROR, "Server busy: " + e.getMessage()));
    }
    if (result.isDone()) {
      // Served in place and already answered: no message to ourselves in between, no hold-back timer.
      onCompleted(completedNow(result));
    } else {
      stream.holdBackUntil(admittedAt + deps.settings().sseHoldBack().toNanos());
      ctx.pipeToSelf(result, Completed::new);
    }
  }

  private static Completed completedNow(CompletableFuture<JsonNode> done) {
    try {
      return new Completed(done.join(), null);
    } catch (java.util.concurrent.CompletionException | java.util.concurrent.CancellationException e) {
      return new Completed(null, e);
    }
  }

  private void onRunning(Command message) {
    if (message instanceof Completed m) {
      onCompleted(m);
    } else if (message instanceof Log m) {
      if (m.level().compareTo(level) >= 0) send(JsonRpc.logMessage(m.level(), m.data()));
    } else if (message instanceof Progress m) {
      if (context.progressToken() != null) {
        send(JsonRpc.progress(context.progressToken(), m.progress(), m.total(), m.message()));
      }
    } else if (message instanceof Outbound m) {
      onOutbound(m);
    } else if (message instanceof Answered m) {
      timers.cancel(m.id());
      serverRequests.answered(m.id(), m.result(), m.error());
    } else if (message instanceof OutboundTimeout m) {
      serverRequests.timedOut(m.id());
    } else if (message instanceof LevelChanged m) {
      level = m.level();
    } else if (message instanceof TrackElicitation m) {
      awaitElicitation(m.elicitationId());
    } else if (message == CloseConnection.INSTANCE) {
      toStream(StreamActor.CloseConnection.INSTANCE);
    } else if (message instanceof Cancel) {
      context.cancel();
      finish(null);
    }
  }

  private void onOutbound(Outbound m) {
    if (!ServerRequests.declared(info.clientCapabilities(), m.needs())) {
      m.reply().complete(ClientResponse.notSupported());
      return;
    }
    String id = Tracker.get(ctx.getSystem()).mintId();
    // Registered before it is written: the answer cannot arrive first.
    if (!serverRequests.await(id, info, self, m.reply())) return;
    send(JsonRpc.request(TextNode.valueOf(id), m.method(), m.params()));
    timers.startSingleTimer(id, new OutboundTimeout(id), deps.settings().clientRequestTimeout());
  }

  private void onCompleted(Completed m) {
    JsonNode response;
    if (m.failure() == null) {
      response = JsonRpc.result(request.id(), m.result());
    } else {
      Throwable cause = McpDispatcher.unwrap(m.failure());
      if (cause instanceof McpError e) {
        if (e.code() == McpError.URL_ELICITATION_REQUIRED && e.data() != null) {
          for (JsonNode item : e.data().path("elicitations")) {
            String elicitationId = item.path("elicitationId").asText(null);
            if (elicitationId != null) awaitElicitation(elicitationId);
          }
        }
        response = JsonRpc.error(request.id(), e);
      } else {
        log.warn("request {} ({}) of session {} failed", dev.phantom.util.LogIds.of(requestKey), request.method(),
            dev.phantom.util.LogIds.of(info.sessionId()), cause);
        response = JsonRpc.error(request.id(), McpError.internal());
      }
    }
    finish(context.isCancelled() ? null : response);
  }

  /**
   * Registers the session as awaiting a URL elicitation's completion with this node's notification hub
   * (a local message, so it is in place before the client can see the id, whatever node later reports
   * the completion), and in the session's index entry (on its home).
   */
  private void awaitElicitation(String elicitationId) {
    SessionTracker.get(ctx.getSystem()).awaitElicitation(session, elicitationId);
    session.tell(new SessionActor.TrackElicitation(elicitationId));
  }

  /** Writes the response (none when cancelled) and tells the session the request id is free again. */
  private void finish(JsonNode response) {
    toStream(new StreamActor.Finish(response));
    if (sessions != null) {
      // A session on another node hears of ends in batches (also one not registered yet: cancelled while
      // its registration was on the way; the directory hands the end to the session after it).
      deps.doneNotices().tell(new DoneNotices.Done(sessions, new Directory.Ended(sessionId, requestKey, self)));
    } else {
      session.tell(new SessionActor.RequestDone(requestKey, self));
    }
    ended();
  }

  /** The request is over (its stream may live on): release what it holds. */
  private void ended() {
    phase = Phase.DONE;
    timers.cancel(RegistrationTimeout.INSTANCE);
    serverRequests.endAll().forEach(timers::cancel);
    deps.load().releaseRequest();
  }

  /** The actor stops while the request runs: its handler is cancelled and what it holds released. */
  private void abandon() {
    if (context != null) context.cancel();
    ended();
  }

  private void send(JsonNode message) {
    toStream(new StreamActor.Send(message));
  }

  private SessionOps sessionOps() {
    Duration timeout = deps.settings().lookupTimeout();
    var scheduler = ctx.getSystem().scheduler();
    return new SessionOps() {
      public CompletionStage<Void> setLogLevel(LogLevel l) {
        return Stages.<Object, SessionActor.Accepted>ask(session, r -> new SessionActor.SetLogLevel(l, r), timeout, scheduler)
            .thenApply(a -> null);
      }

      public CompletionStage<Void> subscribe(String uri) {
        return Stages.<Object, SessionActor.Accepted>ask(session, r -> new SessionActor.Subscribe(uri, r), timeout, scheduler)
            .thenApply(a -> {
              if (!a.accepted()) {
                throw new McpError(McpError.SERVER_ERROR, "Too many resource subscriptions (limit "
                    + deps.settings().limits().maxSubscriptionsPerSession() + " per session, "
                    + deps.settings().limits().maxSubscriptionsPerNode() + " per node)");
              }
              return null;
            });
      }

      public CompletionStage<Void> unsubscribe(String uri) {
        return Stages.<Object, SessionActor.Accepted>ask(session, r -> new SessionActor.Unsubscribe(uri, r), timeout, scheduler)
            .thenApply(a -> null);
      }
    };
  }
}
