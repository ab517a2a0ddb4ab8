package dev.phantom.mcp;

import java.util.concurrent.CompletionStage;

/**
 * The session-state changes a request may ask for; the transport applies them where the session lives.
 *
 * <pre>{@code
 * session.subscribe("orders://1").thenRun(() -> log.info("subscribed"));
 * }</pre>
 */
public interface SessionOps {
  CompletionStage<Void> setLogLevel(LogLevel level);

  CompletionStage<Void> subscribe(String uri);

  CompletionStage<Void> unsubscribe(String uri);
}
