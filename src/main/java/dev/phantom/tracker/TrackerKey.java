package dev.phantom.tracker;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.math.BigDecimal;
import java.math.BigInteger;

/**
 * The key an entry is tracked under. Plain ids ({@link Id}: a session id, a request id, a resource URI)
 * and in-flight claims ({@link InFlight}) are different types, so a claim can never collide with a plain
 * request id, whatever characters the id holds.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "t")
@JsonSubTypes({
  @JsonSubTypes.Type(value = TrackerKey.Id.class, name = "i"),
  @JsonSubTypes.Type(value = TrackerKey.InFlight.class, name = "f")
})
public sealed interface TrackerKey extends TrackerSerializable {

  /** A plain id: a session id, a request id or a resource URI. */
  record Id(String value) implements TrackerKey {
    public Id {
      if (value == null) throw new IllegalArgumentException("tracker key must not be null");
    }

    @Override
    public String toString() {
      return value;
    }
  }

  /**
   * The claim on a JSON-RPC request of a session, taken by {@link Tracker#trackInFlight}.
   *
   * @param sessionId the session
   * @param requestId the JSON text of the JSON-RPC id ({@code "\"a\""} or {@code 1}: the string "1" and
   *     the number 1 are different ids, as in JSON-RPC)
   */
  record InFlight(String sessionId, String requestId) implements TrackerKey {
    public InFlight {
      if (sessionId == null || requestId == null) {
        throw new IllegalArgumentException("in-flight key needs a session id and a request id");
      }
    }

    @Override
    public String toString() {
      return "in-flight(" + sessionId + ", " + requestId + ")";
    }
  }

  /** A plain key. */
  static TrackerKey id(String value) {
    return new Id(value);
  }

  /**
   * The claim key of a JSON-RPC request id given as a Java value: a {@link String} or an integral
   * {@link Number} (JSON-RPC ids are strings or numbers).
   */
  static InFlight inFlight(String sessionId, Object requestId) {
    return new InFlight(sessionId, jsonRpcIdText(requestId));
  }

  /** The canonical JSON text of a JSON-RPC id. */
  static String jsonRpcIdText(Object requestId) {
    if (requestId instanceof String s) {
      StringBuilder out = new StringBuilder(s.length() + 2).append('"');
      for (int i = 0; i < s.length(); i++) {
        char c = s.charAt(i);
        switch (c) {
          case '"' -> out.append("\\\"");
          case '\\' -> out.append("\\\\");
          default -> {
            if (c < 0x20) out.append(String.format("\\u%04x", (int) c));
            else out.append(c);
          }
        }
      }
      return out.append('"').toString();
    }
    if (requestId instanceof Integer || requestId instanceof Long || requestId instanceof Short
        || requestId instanceof Byte || requestId instanceof BigInteger) {
      return requestId.toString();
    }
    if (requestId instanceof BigDecimal d) {
      return d.stripTrailingZeros().toPlainString();
    }
    if (requestId instanceof Number n) {
      double v = n.doubleValue();
      if (v == Math.rint(v) && !Double.isInfinite(v)) return Long.toString((long) v);
      return Double.toString(v);
    }
    throw new IllegalArgumentException(
        "a JSON-RPC id is a string or a number, got " + (requestId == null ? "null" : requestId.getClass().getName()));
  }
}
