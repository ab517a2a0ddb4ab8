package dev.phantom.session;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.Terminated;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.TimerScheduler;
import akka.util.ByteString;
import com.fasterxml.jackson.databind.JsonNode;
import dev.phantom.mcp.Json;
import dev.phantom.presence.SessionTracker;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;

/**
 * One SSE stream (the response stream of a POST, or a session's GET stream). It numbers its events
 * ({@code <stream id>:<seq>}), keeps the latest in a bounded buffer, writes them to the current
 * connection if there is one, and outlives a lost connection for {@code stream-retention} so a client
 * can resume with {@code Last-Event-ID} — on any node (the stream id names this node). A connection that
 * cannot take an event (queue full) is closed rather than losing it: the client resumes and gets it
 * from the buffer.
 *
 * <p>A POST stream lives on the node that received the POST, inside its request's actor ({@link
 * RequestActor}: one actor per request, not two; the stream outlives the request there when the client
 * may still resume it). A GET stream
 * lives on the session's home node and writes to the connection through a {@link SseRelay} on the node
 * that serves it: when that node dies, the events sent meanwhile are still here for the client's
 * resumption elsewhere. A relay that stops (its node gone) detaches it.
 */
public final class StreamActor {

  public sealed interface Command {}

  /** Write one JSON-RPC message on the stream. */
  public record Send(JsonNode message) implements Command, ClusterMessage {}

  /** Send the priming event (an id with empty data) so the client can resume from the start. */
  public enum Prime implements Command {
    INSTANCE
  }

  /**
   * The stream is complete: write {@code last} (the request's response; null for none) and close the
   * connection after it.
   */
  public record Finish(JsonNode last) implements Command {}

  /**
   * The request was refused before it ran ({@code refusal}: no such session, another principal, a
   * limit): answered with the refusal's status while the response is held back, else as {@code error}.
   */
  public record Refused(Refusal refusal, JsonNode error) implements Command {}

  /** The session ended: close and stop. */
  public enum End implements Command, ClusterMessage {
    INSTANCE
  }

  /** Close the current connection but keep the stream (SSE polling); the client resumes. */
  public enum CloseConnection implements Command, ClusterMessage {
    INSTANCE
  }

  /**
   * A connection of this stream ended; {@code completed} when it ended after its last event was
   * written (not by an error).
   */
  public record ConnectionLost(long connectionId, boolean completed) implements Command, ClusterMessage {}

  /** Resume on this node: replay events after {@code afterSeq} to the new connection, then continue. */
  public record Resume(String sessionId, String principal, long afterSeq, SseSink sink, ActorRef<ResumeReply> replyTo)
      implements Command {}

  /** Resume from another node, through a relay there. */
  public record ResumeRemote(
      String sessionId, String principal, long afterSeq, ActorRef<SseRelay.Command> relay, long connectionId,
      ActorRef<ResumeReply> replyTo)
      implements Command, ClusterMessage {}

  public enum ResumeResult {
    RESUMED, WRONG_SESSION, OTHER_PRINCIPAL
  }

  public record ResumeReply(ResumeResult result) implements ClusterMessage {}

  private enum RetentionOver implements Command {
    INSTANCE
  }

  private enum HoldBackOver implements Command {
    INSTANCE
  }

  private record Buffered(long seq, ByteString event) {}

  public enum Kind {
    POST, GET
  }

  /**
   * A session's GET stream, writing to {@code sink} at once.
   *
   * @param session told when the stream connects and disconnects
   */
  public static Behavior<Command> createGet(
      String streamId, String sessionId, String principal, SseSink sink, McpSettings settings, ActorRef<Object> session) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
      StreamActor stream = new StreamActor(ctx, ctx.getSelf(), timers, streamId, sessionId, principal, Kind.GET, settings,
          session);
      stream.attach(sink);
      return stream.behavior();
    }));
  }

  /**
   * The stream of a POST request, held inside the request's actor ({@link RequestActor}) rather than an
   * actor of its own: its HTTP response is held back and started by {@code starter}, complete if the
   * request is answered in time, streamed otherwise ({@link #holdBackUntil}). The request's actor hands
   * it every {@link Command} it receives ({@link #handle}) and stops when it says so.
   */
  static StreamActor heldBack(ActorContext<?> ctx, ActorRef<Command> self, TimerScheduler<? super Command> timers,
      String streamId, String sessionId, String principal, ResponseStarter starter, McpSettings settings) {
    StreamActor stream = new StreamActor(ctx, self, timers, streamId, sessionId, principal, Kind.POST, settings, null);
    stream.starter = starter;
    return stream;
  }

  /**
   * The response is held back until {@code deadlineNanos} ({@link System#nanoTime}; the request's
   * admission plus {@code sse-hold-back}), and streamed from then on if it is still not answered. The
   * request sets it only once its handler has not answered at once, so a request answered in place
   * never starts a timer for it; a deadline already past starts streaming now.
   */
  void holdBackUntil(long deadlineNanos) {
    if (starter == null) return;
    long left = deadlineNanos - System.nanoTime();
    if (left <= 0) startStreaming();
    else timers.startSingleTimer(HoldBackOver.INSTANCE, java.time.Duration.ofNanos(left));
  }

  private final ActorContext<?> ctx;
  private final ActorRef<Command> self;
  private final TimerScheduler<? super Command> timers;
  private final String streamId;
  private final String sessionId;
  /** The principal of the session (null: anonymous): only it may resume the stream. */
  private final String principal;
  private final Kind kind;
  private final McpSettings settings;
  private final ActorRef<Object> session;
  // Small at first: a held-back request buffers two events (priming, result); a GET stream grows it.
  private final Deque<Buffered> buffer = new ArrayDeque<>(2);
  private long bufferedBytes;
  private long seq;
  private SseSink sink;
  private boolean finished;
  /** Set while the HTTP response is held back: nothing has been written yet. */
  private ResponseStarter starter;
  private boolean primed;
  /** The connection that was completed when the stream finished (-1: none). */
  private long finalConnection = -1;

  private StreamActor(ActorContext<?> ctx, ActorRef<Command> self, TimerScheduler<? super Command> timers,
      String streamId, String sessionId, String principal, Kind kind, McpSettings settings, ActorRef<Object> session) {
    this.ctx = ctx;
    this.self = self;
    this.principal = principal;
    this.timers = timers;
    this.streamId = streamId;
    this.sessionId = sessionId;
    this.kind = kind;
    this.settings = settings;
    this.session = session;
  }

  /**
   * One dispatch method, not a receive built per actor: a stream is created for every held-back POST
   * request and lives as long as every GET connection, so ~15 case objects each add up.
   */
  private Behavior<Command> behavior() {
    return Behaviors.receive((context, message) -> handle(message) ? Behaviors.same() : Behaviors.stopped(),
        (context, signal) -> {
          onSignal(signal);
          return Behaviors.same();
        });
  }

  /** Handles one message; false when the stream is over (its actor stops). */
  boolean handle(Command message) {
    if (message instanceof Send m) {
      send(m.message());
      // a message before the response (progress, log, server request): the client wants it now
      if (starter != null) startStreaming();
      return true;
    }
    if (message == Prime.INSTANCE) {
      if (seq == 0) {
        primed = true;
        if (sink != null) sink.offer(priming());
      }
      return true;
    }
    if (message instanceof Finish m) {
      if (m.last() != null) send(m.last());
      finished = true;
      if (starter != null) {
        // Answered in time: one complete body, and nothing is left to resume.
        answerComplete();
        return false;
      }
      completeFinished();
      return true;
    }
    if (message == HoldBackOver.INSTANCE) {
      if (starter != null) startStreaming();
      return true;
    }
    if (message == CloseConnection.INSTANCE) {
      if (starter != null) {
        // SSE polling before anything was written: the events so far (the priming event) as a
        // complete body; the client resumes with its id.
        answerComplete();
        retain();
      } else {
        detach(true);
      }
      return true;
    }
    if (message instanceof ConnectionLost m) {
      // A finished stream whose final connection wrote everything will never be resumed: stop now
      // instead of holding it (and its buffer) for stream-retention.
      if (finished && m.completed() && m.connectionId() == finalConnection) return false;
      if (sink != null && sink.connectionId() == m.connectionId()) detach(false);
      return true;
    }
    if (message instanceof Resume m) {
      m.replyTo().tell(new ResumeReply(resume(m.sessionId(), m.principal(), m.afterSeq(), m.sink())));
      return true;
    }
    if (message instanceof ResumeRemote m) {
      ResumeResult result = resume(m.sessionId(), m.principal(), m.afterSeq(), new SseSink.Remote(m.relay(), m.connectionId()));
      if (result != ResumeResult.RESUMED) m.relay().tell(SseRelay.Complete.INSTANCE);
      m.replyTo().tell(new ResumeReply(result));
      return true;
    }
    if (message instanceof Refused m) {
      if (starter == null) return handle(new Finish(m.error()));
      ResponseStarter s = starter;
      starter = null;
      timers.cancel(HoldBackOver.INSTANCE);
      s.refuse(m.refusal());
      return false;
    }
    if (message == End.INSTANCE) {
      if (starter != null) answerComplete();
      if (sink != null) sink.complete();
      return false;
    }
    if (message == RetentionOver.INSTANCE) {
      if (sink != null || (kind == Kind.POST && !finished)) return true;
      return false;
    }
    return true;
  }

  /** A relay this stream writes to stopped (its node is gone): detach from it. */
  void onSignal(akka.actor.typed.Signal signal) {
    if (signal instanceof Terminated t && sink instanceof SseSink.Remote remote && remote.relay().equals(t.getRef())) {
      detach(false);
    }
  }

  private void attach(SseSink next) {
    timers.cancel(RetentionOver.INSTANCE);
    sink = next;
    if (next instanceof SseSink.Remote remote) {
      remote.relay().tell(new SseRelay.Bound(self));
      ctx.watch(remote.relay());
    }
    if (kind == Kind.GET && session != null) {
      session.tell(new SessionActor.GetStreamState(self, true));
      SessionTracker.get(ctx.getSystem()).trackSession(self, sessionId, Map.of("stream", "get"));
    }
  }

  private void send(JsonNode message) {
    long n = ++seq;
    ByteString event = Sse.message(Sse.eventId(streamId, n), Json.writeBytes(message));
    buffer.addLast(new Buffered(n, event));
    bufferedBytes += event.size();
    // The newest event stays whatever its size (a large result): it is what the client is about to get.
    while (buffer.size() > 1
        && (buffer.size() > settings.streamBufferEvents() || bufferedBytes > settings.limits().streamBufferBytes())) {
      bufferedBytes -= buffer.removeFirst().event().size();
    }
    if (sink != null && !sink.offer(event)) {
      // The connection cannot take it: close it; the client resumes and gets the event from the buffer.
      detach(true);
    }
  }

  private ResumeResult resume(String requestingSession, String requestingPrincipal, long afterSeq, SseSink next) {
    if (!sessionId.equals(requestingSession)) return ResumeResult.WRONG_SESSION;
    if (!java.util.Objects.equals(principal, requestingPrincipal)) return ResumeResult.OTHER_PRINCIPAL;
    // The client has every event up to afterSeq: those are released, not kept for another resumption.
    while (!buffer.isEmpty() && buffer.peekFirst().seq() <= afterSeq) bufferedBytes -= buffer.removeFirst().event().size();
    if (starter != null) answerComplete();
    // A client resuming has lost its connection even if the server has not noticed yet (that takes a
    // write): the new connection takes over and the old one is closed.
    if (sink != null) sink.complete();
    attach(next);
    for (Buffered b : buffer) {
      if (b.seq() > afterSeq && !sink.offer(b.event())) {
        detach(true);
        return ResumeResult.RESUMED;
      }
    }
    if (finished) completeFinished();
    return ResumeResult.RESUMED;
  }

  private ByteString priming() {
    return Sse.priming(Sse.eventId(streamId, 0), settings.sseRetry().toMillis());
  }

  /** Everything written so far, for a response that starts now. */
  private java.util.List<ByteString> eventsSoFar() {
    java.util.List<ByteString> events = new java.util.ArrayList<>(buffer.size() + 1);
    if (primed) events.add(priming());
    for (Buffered b : buffer) events.add(b.event());
    return events;
  }

  private void answerComplete() {
    ResponseStarter s = starter;
    starter = null;
    timers.cancel(HoldBackOver.INSTANCE);
    s.complete(eventsSoFar());
  }

  private void startStreaming() {
    ResponseStarter s = starter;
    starter = null;
    timers.cancel(HoldBackOver.INSTANCE);
    java.util.List<ByteString> events = eventsSoFar();
    attach(s.stream(self));
    for (ByteString e : events) {
      if (!sink.offer(e)) {
        detach(true);
        return;
      }
    }
  }

  /** The stream is finished: the current connection (if any) ends after the events offered to it. */
  private void completeFinished() {
    if (sink != null) {
      finalConnection = sink.connectionId();
      sink.complete();
      sink = null;
    }
    retain();
  }

  private void detach(boolean closeIt) {
    if (sink == null) return;
    if (closeIt) sink.complete();
    sink = null;
    if (kind == Kind.GET && session != null) {
      session.tell(new SessionActor.GetStreamState(self, false));
      // a disconnected stream is no longer one of the session's open streams
      SessionTracker.get(ctx.getSystem()).untrack(self);
    }
    retain();
  }

  private void retain() {
    timers.startSingleTimer(RetentionOver.INSTANCE, settings.streamRetention());
  }
}
