package dev.phantom.presence;

import java.math.BigDecimal;
import java.math.BigInteger;

/**
 * The canonical text of a JSON-RPC id, the name of its in-flight claim: ids keep their JSON type, so the
 * string {@code "1"} and the number {@code 1} are different ids, as in JSON-RPC.
 */
final class JsonRpcIds {
  private JsonRpcIds() {}

  /** The JSON text of an id given as a Java value: a {@link String} or an integral {@link Number}. */
  static String text(Object requestId) {
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
