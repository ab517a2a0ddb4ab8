package dev.phantom.stateless;

import com.fasterxml.jackson.databind.JsonNode;
import dev.phantom.mcp.Json;
import dev.phantom.mcp.JsonRpc;
import dev.phantom.mcp.McpDispatcher;
import dev.phantom.mcp.McpError;
import dev.phantom.session.Sse;
import dev.phantom.session.SseQueue;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How the response of one 2026-07-28 request goes out: a plain JSON body when the result comes first;
 * an SSE stream as soon as the handler writes a notification (progress, a log) or runs longer than the
 * hold-back, so the client sees its notifications as they happen and closing the stream cancels the
 * request. Thread-safe: the handler writes from any thread.
 */
public final class StatelessExchange {
  private static final Logger log = LoggerFactory.getLogger(StatelessExchange.class);

  /** Where the response goes (the HTTP layer). Each exchange calls exactly one method, once. */
  public interface Response {
    void json(JsonNode message);

    void error(McpError error);

    /** The response is a stream over {@code queue}; run {@code onClosedEarly} if the client closes it before the end. */
    void stream(SseQueue queue, Runnable onClosedEarly);
  }

  private final Response response;
  private final JsonNode id;
  private final Supplier<SseQueue> queues;
  // Guarded by this.
  private SseQueue queue;
  private boolean finished;
  private StatelessContext context;

  public StatelessExchange(Response response, JsonNode id, Supplier<SseQueue> queues) {
    this.response = response;
    this.id = id;
    this.queues = queues;
  }

  /** The handler's context for this exchange (made once). */
  public synchronized StatelessContext context(Envelope envelope, String principal) {
    if (context == null) context = new StatelessContext(envelope, principal, this::send);
    return context;
  }

  /** The hold-back has passed: a request still running answers as a stream from now on. */
  public void holdBackElapsed() {
    synchronized (this) {
      if (finished || queue != null) return;
      startStream().offer(Sse.KEEP_ALIVE);
    }
  }

  /** Writes one notification on the request's stream, starting the stream if needed. */
  void send(JsonNode notification) {
    synchronized (this) {
      if (finished) return;
      startStream().offer(Sse.message(Json.writeBytes(notification)));
    }
  }

  /** The request ended: its result, or its failure. */
  public void finish(JsonNode result, Throwable failure) {
    McpError error = null;
    if (failure != null) {
      Throwable cause = McpDispatcher.unwrap(failure);
      if (cause instanceof McpError e) {
        error = e;
      } else {
        log.warn("stateless request {} failed", dev.phantom.util.LogIds.of(Json.write(id)), cause);
        error = McpError.internal();
      }
    }
    SseQueue stream;
    synchronized (this) {
      if (finished) return;
      finished = true;
      stream = queue;
    }
    if (stream == null) {
      if (error != null) response.error(error);
      else response.json(JsonRpc.result(id, result));
      return;
    }
    if (context != null && context.isCancelled()) return;
    stream.offer(Sse.message(Json.writeBytes(error != null ? JsonRpc.error(id, error) : JsonRpc.result(id, result))));
    stream.complete();
  }

  private SseQueue startStream() {
    if (queue == null) {
      queue = queues.get();
      response.stream(queue, () -> {
        StatelessContext c;
        synchronized (this) {
          c = context;
        }
        if (c != null) c.cancel();
      });
    }
    return queue;
  }
}
