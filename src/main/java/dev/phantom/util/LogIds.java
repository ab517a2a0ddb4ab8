package dev.phantom.util;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * What a log line may say about a session, stream or request-state id: a short hash, never the id.
 * Without authentication a session id is the session's only credential, and logs travel further than
 * the server (collectors, tickets). The hash still lets an operator match lines of one session, and
 * match a client's id against them ({@code LogIds.of(id)}).
 *
 * <pre>{@code
 * log.warn("session {} expired", LogIds.of(sessionId));   // "session #3f2a9c1d0b7e4a55 expired"
 * }</pre>
 */
public final class LogIds {
  private LogIds() {}

  public static String of(String id) {
    if (id == null) return "#none";
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(id.getBytes(StandardCharsets.UTF_8));
      StringBuilder out = new StringBuilder(17).append('#');
      for (int i = 0; i < 8; i++) out.append(String.format("%02x", digest[i]));
      return out.toString();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
    }
  }
}
