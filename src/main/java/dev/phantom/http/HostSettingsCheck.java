package dev.phantom.http;

import akka.actor.typed.ActorSystem;
import com.typesafe.config.Config;
import java.util.ArrayList;
import java.util.List;

/**
 * Akka settings outside {@code phantom.*} that the transport needs in a cluster but that a library must
 * not change for its host application: checked once when the transport starts, each shortfall logged
 * as one warning saying what to set and why. The runnable node's configuration sets them all.
 *
 * <pre>{@code
 * List<String> advice = HostSettingsCheck.advice(system.settings().config());   // empty: all set
 * }</pre>
 */
public final class HostSettingsCheck {
  /** Artery's outbound queue for ordinary messages: a notification fan-out or a burst of relayed SSE events must fit. */
  static final int MIN_OUTBOUND_QUEUE = 16384;

  private HostSettingsCheck() {}

  /** What to change, one sentence per setting; empty when everything needed is in place. */
  public static List<String> advice(Config config) {
    List<String> out = new ArrayList<>();
    boolean cluster = config.getString("akka.actor.provider").equals("cluster");
    String queue = "akka.remote.artery.advanced.outbound-message-queue-size";
    if (cluster && config.hasPath(queue) && config.getInt(queue) < MIN_OUTBOUND_QUEUE) {
      out.add("set " + queue + " = " + MIN_OUTBOUND_QUEUE + " (now " + config.getInt(queue) + "): a burst of notifications "
          + "or relayed SSE events to one node overflows a smaller queue, and Artery then drops messages silently");
    }
    for (String header : List.of("Mcp-Session-Id", "Last-Event-ID")) {
      int cached = headerCache(config, header);
      if (cached != 0) {
        out.add("set akka.http.server.parsing.header-cache { \"" + header + "\" = 0 } (now " + cached + "): every value is "
            + "unique, so caching them only holds memory");
      }
    }
    return out;
  }

  /** The server's header-cache size for {@code header}: its own setting, else akka.http.parsing's (akka-http merges them so). */
  private static int headerCache(Config config, String header) {
    for (String base : List.of("akka.http.server.parsing.header-cache", "akka.http.parsing.header-cache")) {
      for (String name : List.of(header, header.toLowerCase(java.util.Locale.ROOT))) {
        String path = base + ".\"" + name + "\"";
        if (config.hasPath(path)) return config.getInt(path);
      }
    }
    String fallback = "akka.http.parsing.header-cache.default";
    return config.hasPath(fallback) ? config.getInt(fallback) : 0;
  }

  /** Logs each piece of {@link #advice} as a warning. */
  static void check(ActorSystem<?> system) {
    for (String line : advice(system.settings().config())) {
      system.log().warn("Phantom for Akka needs a setting of the host application: {}", line);
    }
  }
}
