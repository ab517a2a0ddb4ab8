package dev.phantom.http;

import akka.actor.typed.ActorSystem;
import com.typesafe.config.Config;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Akka settings outside {@code phantom.*} that the transport needs in a cluster but that a library must
 * not change for its host application (they apply to the whole ActorSystem). {@link McpTransport} runs
 * {@link #check} once when it starts: when something is missing, one warning says what to put in the
 * application's configuration and why. The runnable node's configuration sets them all.
 *
 * <pre>{@code
 * HostSettingsCheck.check(system);                                        // logs one WARN line if needed
 * List<String> advice = HostSettingsCheck.advice(system.settings().config());   // empty: all set
 * }</pre>
 */
public final class HostSettingsCheck {
  /** Artery's outbound queue for ordinary messages: a notification fan-out or a burst of relayed SSE events must fit. */
  static final int MIN_OUTBOUND_QUEUE = 16384;

  private static final Logger log = LoggerFactory.getLogger(HostSettingsCheck.class);

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
    String downing = "akka.cluster.downing-provider-class";
    if (cluster && config.hasPath(downing) && config.getString(downing).isBlank()) {
      out.add("set " + downing + " = \"akka.cluster.sbr.SplitBrainResolverProvider\" (now none): without a downing "
          + "provider a member that crashed is never removed, so the tracker keeps its sessions, requests and claims "
          + "(it sweeps only entries of former members) and requests for those sessions wait and fail");
    }
    for (String header : List.of("Mcp-Session-Id", "Last-Event-ID")) {
      int cached = headerCache(config, header);
      if (cached != 0) {
        out.add("set akka.http.server.parsing.header-cache { \"" + header + "\" = 0, \"" + header.toLowerCase(Locale.ROOT)
            + "\" = 0 } (now " + cached + "; Phantom's reference.conf sets 0, something overrides it): every value is "
            + "unique, so caching them only holds memory on every open connection");
      }
    }
    return out;
  }

  /** The server's header-cache size for {@code header}: its own setting, else akka.http.parsing's (akka-http merges them so). */
  private static int headerCache(Config config, String header) {
    for (String base : List.of("akka.http.server.parsing.header-cache", "akka.http.parsing.header-cache")) {
      for (String name : List.of(header, header.toLowerCase(Locale.ROOT))) {
        String path = base + ".\"" + name + "\"";
        if (config.hasPath(path)) return config.getInt(path);
      }
    }
    String fallback = "akka.http.parsing.header-cache.default";
    return config.hasPath(fallback) ? config.getInt(fallback) : 0;
  }

  /**
   * Logs one warning listing every piece of {@link #advice} for {@code system}'s configuration; logs
   * nothing when all is set. Safe to call more than once (each call logs again).
   */
  public static void check(ActorSystem<?> system) {
    List<String> advice = advice(system.settings().config());
    if (!advice.isEmpty()) {
      log.warn("Phantom for Akka needs {} Akka setting(s) in the configuration of ActorSystem [{}]: {}",
          advice.size(), system.name(), String.join("; ", advice));
    }
  }
}
