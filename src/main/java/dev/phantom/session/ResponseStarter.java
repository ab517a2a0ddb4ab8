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
   * Answers 404: the session does not exist (found out only once the request reached its home); or 503
   * when {@code timedOut}: its home did not answer in time.
   */
  void sessionNotFound(boolean timedOut);
}
