package dev.phantom.session;

import akka.actor.typed.ActorRef;
import akka.util.ByteString;
import java.util.List;

/**
 * Starts the HTTP response of a POST's SSE stream once the stream knows which kind it needs (the
 * stream calls exactly one of the two, once): a complete body when the request was answered within
 * {@code sse-hold-back}, or a streamed body otherwise. Implemented by the HTTP layer.
 */
public interface ResponseStarter {
  /** Answers with these events as one complete {@code text/event-stream} body. */
  void complete(List<ByteString> events);

  /** Answers with a streamed {@code text/event-stream} body and returns the sink that writes to it. */
  SseSink stream(ActorRef<StreamActor.Command> stream);

  /**
   * Answers with the refusal's status and JSON-RPC error: the session does not exist (404, found out
   * only once the request reached its home), its home did not answer in time (503), the request's
   * principal is not the session's (403), or a limit (429, 503).
   */
  void refuse(Refusal refusal);
}
