package dev.phantom.http;

import static dev.phantom.http.HttpRules.EVENT_STREAM;
import static dev.phantom.http.HttpRules.accepts;
import static dev.phantom.http.HttpRules.header;
import static dev.phantom.http.HttpRules.json;
import static dev.phantom.http.HttpRules.reject;
import static dev.phantom.http.HttpRules.sseResponse;

import dev.phantom.http.HttpRules.Reject;

import dev.phantom.util.Stages;
import akka.NotUsed;
import akka.actor.typed.ActorRef;
import akka.http.javadsl.model.ContentType;
import akka.http.javadsl.model.ContentTypes;
import akka.http.javadsl.model.HttpEntities;
import akka.http.javadsl.model.HttpHeader;
import akka.http.javadsl.model.HttpMethods;
import akka.http.javadsl.model.HttpRequest;
import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.model.MediaTypes;
import akka.http.javadsl.model.StatusCode;
import akka.http.javadsl.model.StatusCodes;
import akka.http.javadsl.model.headers.RawHeader;
import akka.http.javadsl.server.AllDirectives;
import akka.http.javadsl.server.Route;
import akka.stream.Materializer;
import akka.stream.javadsl.Source;
import akka.util.ByteString;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.phantom.mcp.ConnectHook;
import dev.phantom.mcp.Json;
import dev.phantom.mcp.JsonRpc;
import dev.phantom.mcp.McpDispatcher;
import dev.phantom.mcp.McpError;
import dev.phantom.session.Handoff;
import dev.phantom.session.SessionActor;
import dev.phantom.session.Sse;
import dev.phantom.session.ResponseStarter;
import dev.phantom.session.PendingAnswers;
import dev.phantom.session.SseQueue;
import dev.phantom.session.SseRelay;
import dev.phantom.session.SseSink;
import dev.phantom.session.StreamActor;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;

/**
 * The 2025-11-25 side of {@code /mcp}: sessions ({@code initialize}, {@code Mcp-Session-Id}), their
 * requests, answers and notifications, GET streams with resumption, and DELETE. Every bad input gets an
 * HTTP status and a JSON-RPC error body (docs/http-errors.md lists them) and changes nothing else. The
 * work itself is done by the session, request and stream actors.
 */
final class SessionRoutes {
  private static final String SESSION_HEADER = "mcp-session-id";
  private static final String VERSION_HEADER = "mcp-protocol-version";
  /**
   * Connection ids travel between nodes (a stream on one node, its connection on another) and tell a
   * stream which connection a late "connection lost" is about: they must be unique cluster-wide, so
   * they are random, not a per-node counter (two nodes' counters collide, and a stale signal from one
   * node's old connection would cut another node's new one).
   */
  private static long newConnectionId() {
    return java.util.concurrent.ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE;
  }

  private final McpTransport mcp;

  SessionRoutes(McpTransport mcp) {
    this.mcp = mcp;
  }

  /** A POSTed message of the 2025-11-25 era (the endpoint decided the era). */
  CompletionStage<HttpResponse> onMessage(HttpRequest request, JsonRpc.Message message) {
    checkVersionHeader(request);
    Optional<String> sessionId = header(request, SESSION_HEADER);
    if (message instanceof JsonRpc.Request r && r.method().equals("initialize")) {
      if (sessionId.isPresent()) {
        throw new Reject(StatusCodes.BAD_REQUEST, McpError.INVALID_REQUEST, "Invalid request: the session is already initialized");
      }
      return initialize(request, r);
    }
    String id = sessionId.orElseThrow(() ->
        new Reject(StatusCodes.BAD_REQUEST, McpError.SERVER_ERROR, "Bad Request: Mcp-Session-Id header is required"));
    // Every message of a session is authenticated like its initialize, and acts only if its principal is
    // the session's: the session, the stream or the waiting request compares them (403 otherwise).
    // A request goes to its session without a lookup round trip: its RequestActor registers with the
    // session if it lives here, else through the home's sessions directory, which tells it at once if
    // there is none (404). An answer goes to the node of the request waiting for it.
    // Notifications are looked up (they are answered at once, 202 or 404, so they need to know).
    JsonNode echoedId = message instanceof JsonRpc.Request r ? r.id() : null;
    return HttpRules.authenticate(mcp.server().connectHook(), request, echoedId).thenCompose(allow -> {
      String principal = allow.principal().orElse(null);
      if (message instanceof JsonRpc.Request r) return request(id, principal, r);
      if (message instanceof JsonRpc.Response r) return answer(id, principal, r);
      JsonRpc.Notification n = (JsonRpc.Notification) message;
      return session(id).thenCompose(session -> Stages.<Object, SessionActor.Accepted>ask(session,
              replyTo -> new SessionActor.ClientNotification(n.method(), n.params(), principal, replyTo),
              mcp.settings().lookupTimeout(), mcp.system().scheduler()))
          .thenApply(accepted -> {
            if (!accepted.accepted()) throw otherPrincipalReject(null);
            return HttpResponse.create().withStatus(StatusCodes.ACCEPTED);
          });
    });
  }

  private CompletionStage<HttpResponse> initialize(HttpRequest http, JsonRpc.Request request) {
    ObjectNode params = request.params() instanceof ObjectNode o ? o : Json.object();
    JsonNode requested = params.get("protocolVersion");
    if (requested == null || !requested.isTextual()) {
      return CompletableFuture.completedFuture(json(StatusCodes.BAD_REQUEST,
          JsonRpc.error(request.id(), McpError.invalidParams("\"protocolVersion\" must be a string"))));
    }
    InputLimits.checkInitialize(params, mcp.settings().limits(), request.id());
    return HttpRules.authenticate(mcp.server().connectHook(), http, null).thenCompose(allow -> open(request, params, requested, allow));
  }

  private CompletionStage<HttpResponse> open(JsonRpc.Request request, ObjectNode params, JsonNode requested, ConnectHook.Allow allow) {
    String principal = allow.principal().orElse(null);
    dev.phantom.session.Refusal refused = mcp.load().admitSession(principal);
    if (refused != null) throw HttpRules.reject(refused, request.id());
    String version = McpDispatcher.negotiate(requested.textValue());
    String sessionId = mcp.tracker().mintId();
    CompletableFuture<Void> ready = new CompletableFuture<>();
    SessionActor.Init init = new SessionActor.Init(sessionId, version,
        params.get("clientInfo") instanceof ObjectNode ci ? ci : Json.object(),
        params.get("capabilities") instanceof ObjectNode caps ? caps : Json.object(),
        principal, allow.allowList(), ready);
    // From here the session's actor releases the count when it stops; a failed spawn releases it here.
    return mcp.spawn(true, sessionId, SessionActor.create(init, mcp.settings(), mcp.streams(), mcp.load(), mcp.localSessionsView(),
        mcp.deps()))
        .whenComplete((ref, failure) -> {
          if (failure != null) mcp.load().releaseSession(principal);
        })
        .thenCompose(ref -> ready)
        .thenApply(done -> json(StatusCodes.OK, JsonRpc.result(request.id(), mcp.dispatcher().initializeResult(version)))
            .addHeader(RawHeader.create("Mcp-Session-Id", sessionId)));
  }

  /**
   * A client's answer goes straight to the node whose request waits for it (the id names that node).
   * Only a refused answer costs a session lookup, to tell an unknown session (404) from an id that no
   * request of this session waits for (400).
   */
  private CompletionStage<HttpResponse> answer(String sessionId, String principal, JsonRpc.Response response) {
    Optional<ActorRef<PendingAnswers.Command>> waiting;
    try {
      waiting = response.id().isTextual() ? mcp.answersFor(response.id().textValue()) : Optional.empty();
    } catch (McpTransport.HomeUnreachable e) {
      throw new Reject(StatusCodes.SERVICE_UNAVAILABLE, McpError.SERVER_ERROR, "The request's node did not answer in time");
    }
    CompletionStage<Boolean> delivered = waiting.isEmpty() ? CompletableFuture.completedFuture(false)
        : Stages.<PendingAnswers.Command, PendingAnswers.Delivered>ask(waiting.get(),
            replyTo -> new PendingAnswers.Deliver(sessionId, principal, response.id().textValue(), response.result(),
                response.error(), replyTo),
            mcp.settings().lookupTimeout(), mcp.system().scheduler()).thenApply(reply -> {
              if (reply.otherPrincipal()) throw otherPrincipalReject(null);
              return reply.accepted();
            });
    return delivered.thenCompose(accepted -> accepted
        ? CompletableFuture.completedFuture(HttpResponse.create().withStatus(StatusCodes.ACCEPTED))
        : session(sessionId).thenApply(session -> {
          throw new Reject(StatusCodes.BAD_REQUEST, McpError.INVALID_REQUEST, "Invalid request: no server request with id "
              + Json.write(response.id()) + " is pending in this session");
        }));
  }

  /**
   * A request's response is an SSE stream held back for {@code sse-hold-back}: a request answered in
   * time gets one complete SSE body (no streamed response to materialize); otherwise it streams.
   */
  private CompletionStage<HttpResponse> request(String sessionId, String principal, JsonRpc.Request request) {
    // A session homed here spawns the request itself (the sessions directory keeps the node's view of
    // them); elsewhere the request registers through its home's sessions directory.
    ActorRef<Object> localSession = null;
    ActorRef<dev.phantom.session.Directory.Command> home = null;
    if (isHomedHere(sessionId)) {
      localSession = mcp.localSession(sessionId).orElseThrow(SessionRoutes::sessionNotFoundReject);
    } else {
      home = sessionsDirectoryFor(sessionId);
    }
    dev.phantom.session.Refusal refused = mcp.load().admitRequest();
    if (refused != null) throw HttpRules.reject(refused, request.id());
    long admittedAt = System.nanoTime();
    String streamId = mcp.tracker().mintId();
    CompletableFuture<HttpResponse> response = new CompletableFuture<>();
    ResponseStarter starter = new ResponseStarter() {
      @Override
      public void complete(List<ByteString> events) {
        response.complete(sseResponse(HttpEntities.create(EVENT_STREAM,
            events.stream().reduce(ByteString.emptyByteString(), ByteString::concat))));
      }

      @Override
      public void refuse(dev.phantom.session.Refusal refusal) {
        // A refusal of this request by its session (another principal, a limit) echoes its id.
        response.complete(reject(HttpRules.reject(refusal, refusal.isAboutTheSession() ? null : request.id())));
      }

      @Override
      public SseSink stream(ActorRef<StreamActor.Command> stream) {
        SseQueue queue = queue();
        long connection = newConnectionId();
        response.complete(sse(queue, stream, connection));
        return new SseSink.Local(queue, connection);
      }
    };
    if (localSession != null) {
      Handoff handoff = new Handoff();
      handoff.deadline(mcp.system().scheduler().scheduleOnce(mcp.settings().lookupTimeout(), () -> {
        if (handoff.giveUp()) {
          mcp.load().releaseRequest();
          starter.refuse(dev.phantom.session.Refusal.homeTimedOut());
        }
      }, mcp.system().executionContext()));
      localSession.tell(new SessionActor.ServeRequest(request, principal, streamId, admittedAt, starter, handoff));
      return response;
    }
    return mcp.spawn(false, streamId, dev.phantom.session.RequestActor.create(request, sessionId, principal, home,
            streamId, admittedAt, starter, mcp.deps()))
        .whenComplete((stream, failure) -> {
          if (failure != null) mcp.load().releaseRequest();
        })
        .thenCompose(stream -> response);
  }

  // ------------------------------------------------------------------ GET

  CompletionStage<HttpResponse> get(HttpRequest request) {
    if (!accepts(header(request, "accept").orElse(""), "text/event-stream")) {
      throw new Reject(StatusCodes.NOT_ACCEPTABLE, McpError.SERVER_ERROR, "Not Acceptable: the client must accept text/event-stream");
    }
    checkVersionHeader(request);
    String sessionId = header(request, SESSION_HEADER).orElseThrow(() ->
        new Reject(StatusCodes.BAD_REQUEST, McpError.SERVER_ERROR, "Bad Request: Mcp-Session-Id header is required"));
    Optional<String> lastEventId = header(request, "last-event-id");
    return HttpRules.authenticate(mcp.server().connectHook(), request, null).thenCompose(allow -> {
      String principal = allow.principal().orElse(null);
      return session(sessionId).thenCompose(session -> lastEventId.isPresent()
          ? resume(sessionId, principal, lastEventId.get())
          : openGetStream(sessionId, principal, session));
    });
  }

  /**
   * The session spawns its GET stream on its home node. On the home node the stream writes to the
   * response directly; elsewhere this node only relays the connection, so a crash of this node loses
   * no event of the stream (the client resumes elsewhere).
   */
  private CompletionStage<HttpResponse> openGetStream(String sessionId, String principal, ActorRef<Object> session) {
    SseQueue queue = queue();
    long connection = newConnectionId();
    // Write at once so proxies flush the response headers.
    queue.offer(Sse.KEEP_ALIVE);
    Reject conflict = new Reject(StatusCodes.CONFLICT, McpError.SERVER_ERROR,
        "Conflict: only one GET stream is allowed per session");
    if (isHomedHere(sessionId)) {
      SseSink.Local sink = new SseSink.Local(queue, connection);
      return abandonOnTimeout(Stages.<Object, SessionActor.GetStreamOpened>ask(session,
              replyTo -> new SessionActor.OpenLocalGetStream(sink, principal, replyTo), mcp.settings().lookupTimeout(),
              mcp.system().scheduler()), sink, session)
          .thenApply(opened -> {
            if (opened.refusal() != null) throw HttpRules.reject(opened.refusal(), null);
            if (opened.stream() == null) throw conflict;
            return sse(queue, opened.stream(), connection);
          });
    }
    return mcp.spawnRelay(queue, null, connection)
        .thenCompose(relay -> abandonOnTimeout(Stages.<Object, SessionActor.GetStreamOpened>ask(session,
                replyTo -> new SessionActor.OpenGetStream(relay, connection, principal, replyTo), mcp.settings().lookupTimeout(),
                mcp.system().scheduler()), new SseSink.Remote(relay, connection), session)
            .thenApply(opened -> {
              if (opened.refusal() != null) throw HttpRules.reject(opened.refusal(), null);
              if (opened.stream() == null) throw conflict;
              return sseViaRelay(queue, relay);
            }));
  }

  /**
   * When the answer to an open or a resumption does not come in time, the client gets 503 and retries,
   * but the message may still be processed: end the connection it names (a relay stops, and the
   * stream watching it detaches) and tell the session, so nothing is left writing to a connection no
   * client holds.
   */
  private static <T> CompletionStage<T> abandonOnTimeout(CompletionStage<T> answer, SseSink connection, ActorRef<Object> session) {
    return answer.whenComplete((ok, failure) -> {
      Throwable cause = failure == null ? null : McpDispatcher.unwrap(failure);
      if (cause instanceof TimeoutException || cause instanceof akka.pattern.AskTimeoutException) {
        connection.complete();
        if (session != null) session.tell(new SessionActor.GetConnectionAbandoned(connection.connectionId()));
      }
    });
  }

  private CompletionStage<HttpResponse> resume(String sessionId, String principal, String lastEventId) {
    Sse.ParsedEventId parsed = Sse.parseEventId(lastEventId);
    if (parsed == null) throw new Reject(StatusCodes.BAD_REQUEST, McpError.SERVER_ERROR, "Bad Request: malformed Last-Event-ID");
    Reject unknown = new Reject(StatusCodes.BAD_REQUEST, McpError.SERVER_ERROR,
        "Bad Request: Last-Event-ID does not name a live stream of this session");
    return findStream(sessionId, parsed.streamId()).thenCompose(found -> {
      ActorRef<StreamActor.Command> stream = found.orElseThrow(() -> unknown);
      SseQueue queue = queue();
      long connection = newConnectionId();
      if (isHomedHere(parsed.streamId())) {
        SseSink.Local sink = new SseSink.Local(queue, connection);
        return abandonOnTimeout(Stages.<StreamActor.Command, StreamActor.ResumeReply>ask(stream,
                replyTo -> new StreamActor.Resume(sessionId, principal, parsed.seq(), sink, replyTo),
                mcp.settings().lookupTimeout(), mcp.system().scheduler()), sink, null)
            .thenApply(r -> {
              if (r.result() == StreamActor.ResumeResult.WRONG_SESSION) throw unknown;
              if (r.result() == StreamActor.ResumeResult.OTHER_PRINCIPAL) throw otherPrincipalReject(null);
              return sse(queue, stream, connection);
            });
      }
      return mcp.spawnRelay(queue, stream, connection).thenCompose(relay ->
          abandonOnTimeout(Stages.<StreamActor.Command, StreamActor.ResumeReply>ask(stream, replyTo -> new StreamActor.ResumeRemote(
                  sessionId, principal, parsed.seq(), relay, connection, replyTo), mcp.settings().lookupTimeout(),
                  mcp.system().scheduler()),
              new SseSink.Remote(relay, connection), null)
              .thenApply(r -> {
                if (r.result() == StreamActor.ResumeResult.WRONG_SESSION) throw unknown;
                if (r.result() == StreamActor.ResumeResult.OTHER_PRINCIPAL) throw otherPrincipalReject(null);
                return sseViaRelay(queue, relay);
              }));
    });
  }

  /**
   * A stream by id on its home node (named by the id): a GET stream, or a POST stream of a session
   * homed elsewhere, is in that node's streams directory; a POST stream of a session homed there is a
   * child of the session.
   */
  private CompletionStage<Optional<ActorRef<StreamActor.Command>>> findStream(String sessionId, String streamId) {
    return mcp.<StreamActor.Command>lookup(false, streamId).thenCompose(found -> {
      Optional<dev.phantom.tracker.NodeId> streamHome = mcp.tracker().homeOf(streamId);
      if (found.isPresent() || streamHome.isEmpty() || !streamHome.equals(mcp.tracker().homeOf(sessionId))) {
        return CompletableFuture.completedFuture(found);
      }
      return session(sessionId).thenCompose(session -> Stages.<Object, dev.phantom.session.Directory.Found>ask(session,
              replyTo -> new SessionActor.FindStream(streamId, replyTo), mcp.settings().lookupTimeout(),
              mcp.system().scheduler()))
          .thenApply(reply -> {
            @SuppressWarnings("unchecked")
            Optional<ActorRef<StreamActor.Command>> stream = reply.asOptional().map(r -> (ActorRef<StreamActor.Command>) r);
            return stream;
          });
    });
  }

  // ------------------------------------------------------------------ DELETE

  CompletionStage<HttpResponse> delete(HttpRequest request) {
    checkVersionHeader(request);
    String sessionId = header(request, SESSION_HEADER).orElseThrow(() ->
        new Reject(StatusCodes.BAD_REQUEST, McpError.SERVER_ERROR, "Bad Request: Mcp-Session-Id header is required"));
    return HttpRules.authenticate(mcp.server().connectHook(), request, null)
        .thenCompose(allow -> session(sessionId).thenCompose(session -> Stages.<Object, SessionActor.Accepted>ask(session,
            replyTo -> new SessionActor.Terminate(allow.principal().orElse(null), replyTo), mcp.settings().lookupTimeout(),
            mcp.system().scheduler())))
        .thenApply(done -> {
          if (!done.accepted()) throw otherPrincipalReject(null);
          return HttpResponse.create().withStatus(StatusCodes.OK);
        });
  }

  // ------------------------------------------------------------------ helpers

  /** Whether the session or stream named by {@code id} lives on this node. */
  private boolean isHomedHere(String id) {
    return mcp.tracker().homeOf(id).map(mcp.tracker().selfNode()::equals).orElse(false);
  }

  private CompletionStage<ActorRef<Object>> session(String id) {
    return mcp.<Object>lookup(true, id).thenApply(found -> found.orElseThrow(SessionRoutes::sessionNotFoundReject));
  }

  /** The sessions directory of the session's home (see McpTransport.sessionsDirectoryFor). */
  private ActorRef<dev.phantom.session.Directory.Command> sessionsDirectoryFor(String id) {
    try {
      return mcp.sessionsDirectoryFor(id).orElseThrow(SessionRoutes::sessionNotFoundReject);
    } catch (McpTransport.HomeUnreachable e) {
      throw homeUnavailableReject();
    }
  }

  private static Reject homeUnavailableReject() {
    return new Reject(StatusCodes.SERVICE_UNAVAILABLE, McpError.SERVER_ERROR, "The session's node did not answer in time");
  }

  private static Reject otherPrincipalReject(JsonNode id) {
    return HttpRules.reject(dev.phantom.session.Refusal.otherPrincipal(), id);
  }

  private static Reject sessionNotFoundReject() {
    return new Reject(StatusCodes.NOT_FOUND, McpError.SESSION_NOT_FOUND, "Session not found");
  }

  private void checkVersionHeader(HttpRequest request) {
    Optional<String> version = header(request, VERSION_HEADER);
    if (version.isPresent() && !McpDispatcher.isSupported(version.get())) {
      throw new Reject(StatusCodes.BAD_REQUEST, McpError.SERVER_ERROR,
          "Bad Request: unsupported MCP-Protocol-Version " + version.get() + " (supported: "
              + String.join(", ", McpDispatcher.SUPPORTED_VERSIONS) + ")");
    }
  }

  /**
   * The queue of one SSE response, made now so the stream can be given it before the response is
   * returned; ended if akka-http does not render the response within three lookup timeouts (the open's
   * own round trips, with room for a loaded node).
   */
  private SseQueue queue() {
    return SseQueue.open(mcp.settings().sseQueueSize(), mcp.settings().sseKeepAlive(),
        mcp.settings().lookupTimeout().multipliedBy(3), mcp.system());
  }

  private HttpResponse sse(SseQueue queue, ActorRef<StreamActor.Command> stream, long connection) {
    return sseResponse(queue.source(completed -> stream.tell(new StreamActor.ConnectionLost(connection, completed))));
  }

  private HttpResponse sseViaRelay(SseQueue queue, ActorRef<SseRelay.Command> relay) {
    return sseResponse(queue.source(completed -> relay.tell(new SseRelay.ConnectionEnded(completed))));
  }

}
