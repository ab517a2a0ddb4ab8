package dev.phantom.http;

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
import dev.phantom.session.SessionActor;
import dev.phantom.session.Sse;
import dev.phantom.session.ResponseStarter;
import dev.phantom.session.PendingAnswers;
import dev.phantom.session.SseQueue;
import dev.phantom.session.SseRelay;
import dev.phantom.session.SseSink;
import dev.phantom.session.StreamActor;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;

/**
 * The Streamable HTTP rules of MCP 2025-11-25 on {@code /mcp}: every bad input gets an HTTP status and a
 * JSON-RPC error body (docs/http-errors.md lists them) and changes nothing else. The work itself is done
 * by the session, request and stream actors.
 */
final class McpRoutes extends AllDirectives {
  private static final String SESSION_HEADER = "mcp-session-id";
  private static final String VERSION_HEADER = "mcp-protocol-version";
  private static final ContentType EVENT_STREAM = MediaTypes.TEXT_EVENT_STREAM.toContentType();
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
  private final Materializer materializer;
  private final HostCheck hostCheck;

  McpRoutes(McpTransport mcp) {
    this.mcp = mcp;
    this.materializer = Materializer.matFromSystem(mcp.system());
    this.hostCheck = new HostCheck(mcp.settings().allowedHosts(), mcp.settings().allowedOrigins());
  }

  Route route() {
    return path("mcp", () -> extractRequest(request -> completeWithFuture(handle(request))));
  }

  /** Thrown inside the handling to answer with a status and a JSON-RPC error. */
  static final class Reject extends RuntimeException {
    final StatusCode status;
    final McpError error;
    final List<HttpHeader> headers;

    Reject(StatusCode status, int code, String message) {
      this(status, new McpError(code, message), List.of());
    }

    Reject(StatusCode status, McpError error, List<HttpHeader> headers) {
      super(error.getMessage(), null, false, false);
      this.status = status;
      this.error = error;
      this.headers = headers;
    }
  }

  CompletionStage<HttpResponse> handle(HttpRequest request) {
    CompletionStage<HttpResponse> response;
    try {
      hostCheck.check(request);
      if (request.method() == HttpMethods.POST) response = post(request);
      else if (request.method() == HttpMethods.GET) response = get(request);
      else if (request.method() == HttpMethods.DELETE) response = delete(request);
      else throw new Reject(StatusCodes.METHOD_NOT_ALLOWED, new McpError(McpError.SERVER_ERROR, "Method not allowed"),
            List.of(RawHeader.create("Allow", "GET, POST, DELETE")));
    } catch (Reject r) {
      response = CompletableFuture.completedFuture(reject(r));
    }
    return response.exceptionally(failure -> {
      Throwable cause = McpDispatcher.unwrap(failure);
      if (cause instanceof Reject r) return reject(r);
      if (cause instanceof TimeoutException || cause instanceof akka.pattern.AskTimeoutException) {
        return reject(new Reject(StatusCodes.SERVICE_UNAVAILABLE, McpError.SERVER_ERROR, "The session's node did not answer in time"));
      }
      mcp.system().log().error("MCP request failed", cause);
      return reject(new Reject(StatusCodes.INTERNAL_SERVER_ERROR, McpError.INTERNAL_ERROR, "Internal error"));
    });
  }

  // ------------------------------------------------------------------ POST

  private CompletionStage<HttpResponse> post(HttpRequest request) {
    String accept = header(request, "accept").orElse("");
    if (!accepts(accept, "application/json") || !accepts(accept, "text/event-stream")) {
      throw new Reject(StatusCodes.NOT_ACCEPTABLE, McpError.SERVER_ERROR,
          "Not Acceptable: the client must accept both application/json and text/event-stream");
    }
    String contentType = request.entity().getContentType().mediaType().toString();
    if (!contentType.equalsIgnoreCase("application/json")) {
      throw new Reject(StatusCodes.UNSUPPORTED_MEDIA_TYPE, McpError.SERVER_ERROR,
          "Unsupported Media Type: Content-Type must be application/json");
    }
    long max = mcp.settings().maxBodyBytes();
    if (request.entity().getContentLengthOption().orElse(0L) > max) {
      // Read and drop the body before answering (akka-http caps it at its max-content-length): a client
      // still sending it would otherwise meet a closed connection instead of the 413.
      return Stages.direct(request.discardEntityBytes(materializer).completionStage())
          .thenApply(done -> {
            throw tooLarge(max);
          });
    }
    return Stages.direct(request.entity().withSizeLimit(max).toStrict(10_000, materializer))
        .exceptionally(e -> {
          throw McpDispatcher.unwrap(e) instanceof akka.http.scaladsl.model.EntityStreamSizeException ? tooLarge(max)
              : new Reject(StatusCodes.BAD_REQUEST, McpError.PARSE_ERROR, "Parse error: the body could not be read");
        })
        .thenCompose(strict -> onMessage(request, strict.getData()));
  }

  private static Reject tooLarge(long max) {
    return new Reject(StatusCodes.PAYLOAD_TOO_LARGE, McpError.INVALID_REQUEST, "Request too large: the limit is " + max + " bytes");
  }

  private CompletionStage<HttpResponse> onMessage(HttpRequest request, ByteString body) {
    JsonNode json;
    try {
      json = Json.parse(body.toArray());
    } catch (java.io.IOException e) {
      throw new Reject(StatusCodes.BAD_REQUEST, McpError.PARSE_ERROR, "Parse error: invalid JSON");
    }
    if (json == null || json.isMissingNode()) throw new Reject(StatusCodes.BAD_REQUEST, McpError.PARSE_ERROR, "Parse error: empty body");
    if (json.isArray()) {
      throw new Reject(StatusCodes.BAD_REQUEST, McpError.INVALID_REQUEST,
          "Invalid request: JSON-RPC batches are not supported (removed in MCP 2025-06-18); send one message per POST");
    }
    JsonRpc.Message message;
    try {
      message = JsonRpc.parse(json);
    } catch (McpError e) {
      throw new Reject(StatusCodes.BAD_REQUEST, e, List.of());
    }
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
    // A request goes to its session without a lookup round trip: its RequestActor registers through the
    // home's sessions directory, which tells it at once if there is none (404). An answer goes to the
    // node of the request waiting for it.
    // Notifications are looked up (they are answered at once, 202 or 404, so they need to know).
    if (message instanceof JsonRpc.Request r) return request(id, addressSession(id), r);
    if (message instanceof JsonRpc.Response r) return answer(id, r);
    return session(id).thenApply(session -> {
      JsonRpc.Notification n = (JsonRpc.Notification) message;
      session.tell(new SessionActor.ClientNotification(n.method(), n.params()));
      return HttpResponse.create().withStatus(StatusCodes.ACCEPTED);
    });
  }

  private CompletionStage<HttpResponse> initialize(HttpRequest http, JsonRpc.Request request) {
    ObjectNode params = request.params() instanceof ObjectNode o ? o : Json.object();
    JsonNode requested = params.get("protocolVersion");
    if (requested == null || !requested.isTextual()) {
      return CompletableFuture.completedFuture(json(StatusCodes.BAD_REQUEST,
          JsonRpc.error(request.id(), McpError.invalidParams("\"protocolVersion\" must be a string"))));
    }
    ConnectHook.Decision decision = mcp.server().connectHook().connect(headers(http));
    if (decision instanceof ConnectHook.Unauthorized u) {
      throw new Reject(StatusCodes.UNAUTHORIZED, new McpError(McpError.SERVER_ERROR, "Unauthorized"),
          List.of(RawHeader.create("WWW-Authenticate", u.wwwAuthenticate())));
    }
    if (decision instanceof ConnectHook.Forbidden f) {
      throw new Reject(StatusCodes.FORBIDDEN, McpError.SERVER_ERROR, "Forbidden: " + f.message());
    }
    ConnectHook.Allow allow = (ConnectHook.Allow) decision;
    String version = McpDispatcher.negotiate(requested.textValue());
    String sessionId = mcp.tracker().mintId();
    CompletableFuture<Void> ready = new CompletableFuture<>();
    SessionActor.Init init = new SessionActor.Init(sessionId, version,
        params.get("clientInfo") instanceof ObjectNode ci ? ci : Json.object(),
        params.get("capabilities") instanceof ObjectNode caps ? caps : Json.object(),
        allow.principal().orElse(null), allow.allowList(), ready);
    return mcp.spawn(true, sessionId, SessionActor.create(init, mcp.settings(), mcp.streams()))
        .thenCompose(ref -> ready)
        .thenApply(done -> json(StatusCodes.OK, JsonRpc.result(request.id(), mcp.dispatcher().initializeResult(version)))
            .addHeader(RawHeader.create("Mcp-Session-Id", sessionId)));
  }

  /**
   * A client's answer goes straight to the node whose request waits for it (the id names that node).
   * Only a refused answer costs a session lookup, to tell an unknown session (404) from an id that no
   * request of this session waits for (400).
   */
  private CompletionStage<HttpResponse> answer(String sessionId, JsonRpc.Response response) {
    Optional<ActorRef<PendingAnswers.Command>> waiting;
    try {
      waiting = response.id().isTextual() ? mcp.answersFor(response.id().textValue()) : Optional.empty();
    } catch (McpTransport.HomeUnreachable e) {
      throw new Reject(StatusCodes.SERVICE_UNAVAILABLE, McpError.SERVER_ERROR, "The request's node did not answer in time");
    }
    CompletionStage<Boolean> delivered = waiting.isEmpty() ? CompletableFuture.completedFuture(false)
        : Stages.<PendingAnswers.Command, PendingAnswers.Delivered>ask(waiting.get(),
            replyTo -> new PendingAnswers.Deliver(sessionId, response.id().textValue(), response.result(), response.error(), replyTo),
            mcp.settings().lookupTimeout(), mcp.system().scheduler()).thenApply(PendingAnswers.Delivered::accepted);
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
  private CompletionStage<HttpResponse> request(String sessionId, ActorRef<Object> session, JsonRpc.Request request) {
    String streamId = mcp.tracker().mintId();
    CompletableFuture<HttpResponse> response = new CompletableFuture<>();
    ResponseStarter starter = new ResponseStarter() {
      @Override
      public void complete(List<ByteString> events) {
        response.complete(sseResponse(HttpEntities.create(EVENT_STREAM,
            events.stream().reduce(ByteString.emptyByteString(), ByteString::concat))));
      }

      @Override
      public void sessionNotFound(boolean timedOut) {
        response.complete(reject(timedOut ? homeUnavailableReject() : sessionNotFoundReject()));
      }

      @Override
      public SseSink stream(ActorRef<StreamActor.Command> stream) {
        SseQueue queue = queue();
        long connection = newConnectionId();
        response.complete(sse(queue, stream, connection));
        return new SseSink.Local(queue, connection);
      }
    };
    return mcp.<StreamActor.Command>spawn(false, streamId, StreamActor.createHeldBack(streamId, sessionId, starter,
            mcp.settings(), stream -> dev.phantom.session.RequestActor.create(request, sessionId, session,
                mcp.sessionsDirectoryOf(session), stream, mcp.deps())))
        .thenCompose(stream -> response);
  }

  // ------------------------------------------------------------------ GET

  private CompletionStage<HttpResponse> get(HttpRequest request) {
    if (!accepts(header(request, "accept").orElse(""), "text/event-stream")) {
      throw new Reject(StatusCodes.NOT_ACCEPTABLE, McpError.SERVER_ERROR, "Not Acceptable: the client must accept text/event-stream");
    }
    checkVersionHeader(request);
    String sessionId = header(request, SESSION_HEADER).orElseThrow(() ->
        new Reject(StatusCodes.BAD_REQUEST, McpError.SERVER_ERROR, "Bad Request: Mcp-Session-Id header is required"));
    Optional<String> lastEventId = header(request, "last-event-id");
    return session(sessionId).thenCompose(session -> lastEventId.isPresent()
        ? resume(sessionId, lastEventId.get())
        : openGetStream(sessionId, session));
  }

  /**
   * The session spawns its GET stream on its home node. On the home node the stream writes to the
   * response directly; elsewhere this node only relays the connection, so a crash of this node loses
   * no event of the stream (the client resumes elsewhere).
   */
  private CompletionStage<HttpResponse> openGetStream(String sessionId, ActorRef<Object> session) {
    SseQueue queue = queue();
    long connection = newConnectionId();
    // Write at once so proxies flush the response headers.
    queue.offer(Sse.KEEP_ALIVE);
    Reject conflict = new Reject(StatusCodes.CONFLICT, McpError.SERVER_ERROR,
        "Conflict: only one GET stream is allowed per session");
    if (isHomedHere(sessionId)) {
      SseSink.Local sink = new SseSink.Local(queue, connection);
      return abandonOnTimeout(Stages.<Object, SessionActor.GetStreamOpened>ask(session,
              replyTo -> new SessionActor.OpenLocalGetStream(sink, replyTo), mcp.settings().lookupTimeout(),
              mcp.system().scheduler()), sink, session)
          .thenApply(opened -> {
            if (opened.stream() == null) throw conflict;
            return sse(queue, opened.stream(), connection);
          });
    }
    return mcp.spawnRelay(queue, null, connection)
        .thenCompose(relay -> abandonOnTimeout(Stages.<Object, SessionActor.GetStreamOpened>ask(session,
                replyTo -> new SessionActor.OpenGetStream(relay, connection, replyTo), mcp.settings().lookupTimeout(),
                mcp.system().scheduler()), new SseSink.Remote(relay, connection), session)
            .thenApply(opened -> {
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

  private CompletionStage<HttpResponse> resume(String sessionId, String lastEventId) {
    Sse.ParsedEventId parsed = Sse.parseEventId(lastEventId);
    if (parsed == null) throw new Reject(StatusCodes.BAD_REQUEST, McpError.SERVER_ERROR, "Bad Request: malformed Last-Event-ID");
    Reject unknown = new Reject(StatusCodes.BAD_REQUEST, McpError.SERVER_ERROR,
        "Bad Request: Last-Event-ID does not name a live stream of this session");
    return mcp.<StreamActor.Command>lookup(false, parsed.streamId()).thenCompose(found -> {
      ActorRef<StreamActor.Command> stream = found.orElseThrow(() -> unknown);
      SseQueue queue = queue();
      long connection = newConnectionId();
      if (isHomedHere(parsed.streamId())) {
        SseSink.Local sink = new SseSink.Local(queue, connection);
        return abandonOnTimeout(Stages.<StreamActor.Command, StreamActor.ResumeReply>ask(stream,
                replyTo -> new StreamActor.Resume(sessionId, parsed.seq(), sink, replyTo),
                mcp.settings().lookupTimeout(), mcp.system().scheduler()), sink, null)
            .thenApply(r -> {
              if (r.result() == StreamActor.ResumeResult.WRONG_SESSION) throw unknown;
              return sse(queue, stream, connection);
            });
      }
      return mcp.spawnRelay(queue, stream, connection).thenCompose(relay ->
          abandonOnTimeout(Stages.<StreamActor.Command, StreamActor.ResumeReply>ask(stream, replyTo -> new StreamActor.ResumeRemote(
                  sessionId, parsed.seq(), relay, connection, replyTo), mcp.settings().lookupTimeout(), mcp.system().scheduler()),
              new SseSink.Remote(relay, connection), null)
              .thenApply(r -> {
                if (r.result() == StreamActor.ResumeResult.WRONG_SESSION) throw unknown;
                return sseViaRelay(queue, relay);
              }));
    });
  }

  // ------------------------------------------------------------------ DELETE

  private CompletionStage<HttpResponse> delete(HttpRequest request) {
    checkVersionHeader(request);
    String sessionId = header(request, SESSION_HEADER).orElseThrow(() ->
        new Reject(StatusCodes.BAD_REQUEST, McpError.SERVER_ERROR, "Bad Request: Mcp-Session-Id header is required"));
    return session(sessionId).thenCompose(session -> Stages.<Object, SessionActor.Accepted>ask(session,
            SessionActor.Terminate::new, mcp.settings().lookupTimeout(), mcp.system().scheduler()))
        .thenApply(done -> HttpResponse.create().withStatus(StatusCodes.OK));
  }

  // ------------------------------------------------------------------ helpers

  /** Whether the session or stream named by {@code id} lives on this node. */
  private boolean isHomedHere(String id) {
    return mcp.tracker().homeOf(id).map(mcp.tracker().selfNode()::equals).orElse(false);
  }

  private CompletionStage<ActorRef<Object>> session(String id) {
    return mcp.<Object>lookup(true, id).thenApply(found -> found.orElseThrow(McpRoutes::sessionNotFoundReject));
  }

  /** The session's actor, unverified when it lives on another node (see McpTransport.addressSession). */
  private ActorRef<Object> addressSession(String id) {
    try {
      return mcp.addressSession(id).orElseThrow(McpRoutes::sessionNotFoundReject);
    } catch (McpTransport.HomeUnreachable e) {
      throw homeUnavailableReject();
    }
  }

  private static Reject homeUnavailableReject() {
    return new Reject(StatusCodes.SERVICE_UNAVAILABLE, McpError.SERVER_ERROR, "The session's node did not answer in time");
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

  private static HttpResponse sseResponse(Source<ByteString, NotUsed> events) {
    return sseResponse(HttpEntities.createChunked(EVENT_STREAM, events));
  }

  private static HttpResponse sseResponse(akka.http.javadsl.model.ResponseEntity entity) {
    return HttpResponse.create()
        .withStatus(StatusCodes.OK)
        .addHeader(RawHeader.create("Cache-Control", "no-cache"))
        .addHeader(RawHeader.create("X-Accel-Buffering", "no"))
        .withEntity(entity);
  }

  private static HttpResponse json(StatusCode status, JsonNode body) {
    return HttpResponse.create().withStatus(status).withEntity(ContentTypes.APPLICATION_JSON, Json.writeBytes(body));
  }

  private static HttpResponse reject(Reject r) {
    HttpResponse response = json(r.status, JsonRpc.error(null, r.error));
    for (HttpHeader h : r.headers) response = response.addHeader(h);
    return response;
  }

  static boolean accepts(String accept, String mediaType) {
    for (String part : accept.split(",")) {
      String type = part.split(";")[0].trim().toLowerCase(Locale.ROOT);
      if (type.equals(mediaType) || type.equals("*/*") || type.equals(mediaType.substring(0, mediaType.indexOf('/')) + "/*")) {
        return true;
      }
    }
    return false;
  }

  static Optional<String> header(HttpRequest request, String lowerName) {
    if (request == null) return Optional.empty();
    return request.getHeader(lowerName).map(HttpHeader::value);
  }

  private static Map<String, String> headers(HttpRequest request) {
    Map<String, String> out = new HashMap<>();
    for (HttpHeader h : request.getHeaders()) out.put(h.lowercaseName(), h.value());
    return out;
  }
}
