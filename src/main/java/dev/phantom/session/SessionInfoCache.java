package dev.phantom.session;

import java.util.concurrent.ConcurrentHashMap;

/**
 * What this node's requests last learned of each session ({@link SessionInfo} with the session's
 * version of it), so a registration with a session on another node carries the info back only when it
 * changed (a log level set): most registrations of a busy session then answer a few bytes instead of
 * the client's info and capabilities. Bounded: past {@code capacity} sessions it starts over (a miss
 * only costs one full answer).
 *
 * <pre>{@code
 * SessionInfoCache.Known known = cache.get(sessionId);        // null: never seen here
 * long version = known == null ? 0 : known.version();          // sent with the registration
 * SessionInfo info = reply.info() != null ? reply.info() : known.info();
 * }</pre>
 */
public final class SessionInfoCache {
  /** A session's info as of {@code version} (the session counts its changes from 1). */
  public record Known(long version, SessionInfo info) {}

  private final ConcurrentHashMap<String, Known> known = new ConcurrentHashMap<>();
  private final int capacity;

  public SessionInfoCache(int capacity) {
    this.capacity = capacity;
  }

  public Known get(String sessionId) {
    return known.get(sessionId);
  }

  public void put(String sessionId, long version, SessionInfo info) {
    if (known.size() >= capacity) known.clear();
    known.merge(sessionId, new Known(version, info), (old, now) -> now.version() >= old.version() ? now : old);
  }
}
