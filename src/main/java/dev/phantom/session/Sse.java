package dev.phantom.session;

import akka.util.ByteString;
import java.nio.charset.StandardCharsets;

/**
 * Server-Sent Events encoding. Keep-alives are SSE comments ({@code :\n\n}), never empty {@code data:}
 * events, which some MCP clients dispatch and fail to parse.
 */
public final class Sse {
  public static final ByteString KEEP_ALIVE = ByteString.fromString(":\n\n");

  private Sse() {}

  /** An event id: the stream id (which names the stream's node) and a sequence number. */
  public static String eventId(String streamId, long seq) {
    return streamId + ":" + seq;
  }

  /** A JSON-RPC message event; {@code json} is one line of JSON (Jackson never writes raw newlines). */
  public static ByteString message(String eventId, byte[] json) {
    String head = "id: " + eventId + "\nevent: message\ndata: ";
    return ByteString.fromArrayUnsafe(head.getBytes(StandardCharsets.UTF_8))
        .concat(ByteString.fromArrayUnsafe(json))
        .concat(ByteString.fromString("\n\n"));
  }

  /** A JSON-RPC message event without an id (the 2026-07-28 wire has no resumption). */
  public static ByteString message(byte[] json) {
    return ByteString.fromString("event: message\ndata: ")
        .concat(ByteString.fromArrayUnsafe(json))
        .concat(ByteString.fromString("\n\n"));
  }

  /** The priming event: an id and empty data, so the client can resume from the very start. */
  public static ByteString priming(String eventId, long retryMillis) {
    return ByteString.fromString("id: " + eventId + "\nretry: " + retryMillis + "\ndata: \n\n");
  }

  /** {@code <stream id>:<seq>} parsed, or null when malformed. */
  public static ParsedEventId parseEventId(String value) {
    if (value == null) return null;
    int colon = value.lastIndexOf(':');
    if (colon <= 0 || colon == value.length() - 1) return null;
    try {
      long seq = Long.parseLong(value.substring(colon + 1));
      return seq < 0 ? null : new ParsedEventId(value.substring(0, colon), seq);
    } catch (NumberFormatException e) {
      return null;
    }
  }

  public record ParsedEventId(String streamId, long seq) {}
}
