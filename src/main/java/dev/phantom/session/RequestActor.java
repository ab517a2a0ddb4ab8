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
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client request, on the node that received its POST, as the child of the POST's stream. It
 * registers the request id with the session (the duplicate check), runs the handler off the actor,
 * writes what the handler sends (logs, progress, server-to-client requests) and finally the response on
 * the stream. A server-to-client request's id names this node and is registered in its {@link
 * PendingAnswers} before the request is written, so the client's answer can be POSTed to any node.
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

  /**
   * A request of {@code principal} (null: anonymous) in session {@code sessionId}, whose home's sessions
   * directory is {@code sessions}: the request registers there and talks to the session actor that
   * answers (no actor path resolved per request). The caller counted it with {@code
   * deps.load().admitRequest()}; it is released when this actor stops.
   */
  public static Behavior<Command> create(JsonRpc.Request request, String sessionId, String principal,
      ActorRef<Directory.Command> sessions, ActorRef<StreamActor.Command> stream, Deps deps) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers ->
        new RequestActor(ctx, timers, request, sessionId, sessions, stream, deps).start(principal)));
  }

  private final ActorContext<Command> ctx;
  private final TimerScheduler<Command> timers;
  private final JsonRpc.Request request;
  private final String requestKey;
  private final String sessionId;
  private final ActorRef<Directory.Command> sessions;
  /** The session actor as it answered the registration (null before): a ref the notification hub can watch. */
  private ActorRef<Object> session;
  /** What this node knew of the session when the registration left (its version went with it). */
  private SessionInfoCache.Known known;
  private final ActorRef<StreamActor.Command> stream;
  private final Deps deps;
  private final Map<String, CompletableFuture<ClientResponse>> outbound = new HashMap<>();
  private SessionInfo info;
  private LogLevel level;
  private RequestContextImpl context;

  private RequestActor(ActorContext<Command> ctx, TimerScheduler<Command> timers, JsonRpc.Request request,
      String sessionId, ActorRef<Directory.Command> sessions, ActorRef<StreamActor.Command> stream, Deps deps) {
    this.ctx = ctx;
    this.timers = timers;
    this.request = request;
    this.requestKey = Json.write(request.id());
    this.sessionId = sessionId;
    this.sessions = sessions;
    this.stream = stream;
    this.deps = deps;
  }

  /**
   * Registers through the home's sessions directory, which answers at once when there is no such
   * session (no lookup round trip first). No answer within {@code lookup-timeout} (the home is
   * overloaded, or the session ended while the registration was on its way) is answered 503.
   */
  private Behavior<Command> start(String principal) {
    known = deps.infoCache().get(sessionId);
    sessions.tell(new Directory.RegisterWithSession(sessionId,
        new SessionActor.RegisterRequest(requestKey, principal, ctx.getSelf(), known == null ? 0 : known.version())));
    timers.startSingleTimer(RegistrationTimeout.INSTANCE, deps.settings().lookupTimeout());
    return Behaviors.receive(Command.class)
        .onMessage(Registered.class, this::onRegistered)
        .onMessage(Refused.class, m -> refused(m.refusal(), false))
        .onMessage(Cancel.class, m -> finish(null))
        .onMessageEquals(NoSession.INSTANCE, () -> refused(Refusal.sessionNotFound(), false))
        .onMessageEquals(RegistrationTimeout.INSTANCE, () -> refused(Refusal.homeTimedOut(), true))
        .onSignal(PostStop.class, signal -> released())
        .build();
  }

  /** Refused before it ran: the session never counted it (or, timed out, forgets it on its own). */
  private Behavior<Command> refused(Refusal refusal, boolean timedOut) {
    stream.tell(new StreamActor.Refused(refusal, JsonRpc.error(request.id(), refusal.error())));
    return Behaviors.stopped();
  }

  private Behavior<Command> released() {
    deps.load().releaseRequest();
    return Behaviors.same();
  }

  private Behavior<Command> onRegistered(Registered m) {
    // From here on the session cancels this request when it ends.
    timers.cancel(RegistrationTimeout.INSTANCE);
    if (!m.ok()) {
      // Another POST with this id is running: a retry must not run the handler twice.
      stream.tell(new StreamActor.Finish(JsonRpc.error(request.id(),
          McpError.invalidRequest("duplicate request id " + requestKey
              + ": a request with this id is running or was answered in this session"))));
      return Behaviors.stopped();
    }
    if (m.info() != null) {
      info = m.info();
      deps.infoCache().put(sessionId, m.infoVersion(), info);
    } else {
      info = known.info();
    }
    session = m.session();
    level = info.logLevel();
    // Older clients choke on the priming event's empty data; 2025-11-25 clients resume from it.
    if (info.protocolVersion().compareTo("2025-11-25") >= 0) stream.tell(StreamActor.Prime.INSTANCE);
    JsonNode progressToken = request.params() == null ? null : request.params().path("_meta").get("progressToken");
    context = new RequestContextImpl(ctx.getSystem(), ctx.getSelf(), info, progressToken);
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
    ctx.pipeToSelf(result, Completed::new);
    return running();
  }

  private Behavior<Command> running() {
    return Behaviors.receive(Command.class)
        .onMessage(Completed.class, this::onCompleted)
        .onMessage(Log.class, m -> {
          if (m.level().compareTo(level) >= 0) {
            send(JsonRpc.logMessage(m.level(), m.data()));
          }
          return Behaviors.same();
        })
        .onMessage(Progress.class, m -> {
          if (context.progressToken() != null) {
            send(JsonRpc.progress(context.progressToken(), m.progress(), m.total(), m.message()));
          }
          return Behaviors.same();
        })
        .onMessage(Outbound.class, this::onOutbound)
        .onMessage(Answered.class, m -> {
          CompletableFuture<ClientResponse> waiter = outbound.remove(m.id());
          timers.cancel(m.id());
          if (waiter != null) {
            waiter.complete(m.error() != null ? ClientResponse.ofError(m.error())
                : ClientResponse.ofResult(m.result() == null ? Json.object() : m.result()));
          }
          return Behaviors.same();
        })
        .onMessage(OutboundTimeout.class, m -> {
          CompletableFuture<ClientResponse> waiter = outbound.remove(m.id());
          deps.answers().forget(m.id());
          if (waiter != null) waiter.complete(ClientResponse.timeout());
          return Behaviors.same();
        })
        .onMessage(LevelChanged.class, m -> {
          level = m.level();
          return Behaviors.same();
        })
        .onMessage(TrackElicitation.class, m -> {
          awaitElicitation(m.elicitationId());
          return Behaviors.same();
        })
        .onMessageEquals(CloseConnection.INSTANCE, () -> {
          stream.tell(StreamActor.CloseConnection.INSTANCE);
          return Behaviors.same();
        })
        .onMessage(Cancel.class, m -> {
          context.cancel();
          return finish(null);
        })
        .onSignal(PostStop.class, signal -> released())
        .build();
  }

  private Behavior<Command> onOutbound(Outbound m) {
    if (!declares(m.needs())) {
      m.reply().complete(ClientResponse.notSupported());
      return Behaviors.same();
    }
    String id = Tracker.get(ctx.getSystem()).mintId();
    // Registered before it is written: the answer cannot arrive first.
    if (!deps.answers().await(id, info.sessionId(), info.principal(), ctx.getSelf(),
        deps.settings().limits().maxPendingServerRequests())) {
      m.reply().complete(ClientResponse.ofError(Json.object().put("code", McpError.SERVER_ERROR)
          .put("message", "Too many server requests awaiting answers in this session (limit "
              + deps.settings().limits().maxPendingServerRequests() + ")")));
      return Behaviors.same();
    }
    outbound.put(id, m.reply());
    send(JsonRpc.request(TextNode.valueOf(id), m.method(), m.params()));
    timers.startSingleTimer(id, new OutboundTimeout(id), deps.settings().clientRequestTimeout());
    return Behaviors.same();
  }

  private boolean declares(Capability needed) {
    ObjectNode caps = info.clientCapabilities();
    JsonNode elicitation = caps.get("elicitation");
    return switch (needed) {
      case NONE -> true;
      case SAMPLING -> caps.has("sampling");
      // An empty elicitation object means form mode only.
      case ELICITATION_FORM -> elicitation != null && (elicitation.isEmpty() || elicitation.has("form"));
      case ELICITATION_URL -> elicitation != null && elicitation.has("url");
    };
  }

  private Behavior<Command> onCompleted(Completed m) {
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
    if (context.isCancelled()) return finish(null);
    return finish(response);
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

  /** Writes the response (none when cancelled), releases the id and the pending requests, and stops. */
  private Behavior<Command> finish(JsonNode response) {
    stream.tell(new StreamActor.Finish(response));
    if (sessions.path().address().hasGlobalScope()) {
      // A session on another node hears of ends in batches (also one not registered yet: cancelled while
      // its registration was on the way; the directory hands the end to the session after it).
      deps.doneNotices().tell(new DoneNotices.Done(sessions, new Directory.Ended(sessionId, requestKey, ctx.getSelf())));
    } else {
      SessionActor.RequestDone done = new SessionActor.RequestDone(requestKey, ctx.getSelf());
      if (session != null) session.tell(done);
      else sessions.tell(new Directory.TellSession(sessionId, done));
    }
    for (String id : outbound.keySet()) deps.answers().forget(id);
    outbound.values().forEach(f -> f.complete(ClientResponse.timeout()));
    return Behaviors.stopped();
  }

  private void send(JsonNode message) {
    stream.tell(new StreamActor.Send(message));
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
