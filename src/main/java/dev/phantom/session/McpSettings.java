package dev.phantom.session;

import com.typesafe.config.Config;
import java.time.Duration;
import java.util.List;

/**
 * Settings of the MCP transport, read once from {@code phantom.mcp} (defaults in reference.conf).
 *
 * @param allowedHosts Host header names accepted (port ignored); {@code "*"} accepts any
 * @param allowedOrigins Origin values accepted besides origins whose host is an allowed host; {@code "*"} accepts any
 * @param maxBodyBytes the largest POST body (413 beyond)
 * @param sseKeepAlive period of SSE comment keep-alives on idle streams
 * @param sseQueueSize events queued per SSE connection before it is closed (the client resumes)
 * @param sseRetry the {@code retry:} hint sent with the priming event
 * @param sseHoldBack how long a request's SSE response is held back: answered within it, the events go
 *     out as one complete body; otherwise (or at the first progress, log or server request) it streams
 * @param streamRetention how long a stream's events stay replayable after its connection ended
 * @param streamBufferEvents the most events a stream keeps for replay
 * @param clientRequestTimeout how long a server-to-client request (elicitation, sampling, ping) waits
 * @param sessionIdleTimeout a session with no activity and no open GET stream ends after this
 * @param lookupTimeout how long finding a session or stream on its home node may take
 * @param pendingNotifications notifications kept for a session while it has no GET stream
 * @param answeredRequestIds how many answered request ids a session remembers to refuse their reuse
 * @param limits what one client may hold on a node
 * @param requestEndBatch how long a node collects the ends of requests of sessions homed elsewhere before
 *     telling their homes (one message per home and period)
 */
public record McpSettings(
    List<String> allowedHosts,
    List<String> allowedOrigins,
    long maxBodyBytes,
    Duration sseKeepAlive,
    int sseQueueSize,
    Duration sseRetry,
    Duration sseHoldBack,
    Duration streamRetention,
    int streamBufferEvents,
    Duration clientRequestTimeout,
    Duration sessionIdleTimeout,
    Duration lookupTimeout,
    int pendingNotifications,
    int answeredRequestIds,
    McpLimits limits,
    Duration requestEndBatch) {

  public static McpSettings fromConfig(Config root) {
    Config c = root.getConfig("phantom.mcp");
    return new McpSettings(
        c.getStringList("allowed-hosts"),
        c.getStringList("allowed-origins"),
        c.getBytes("max-body-size"),
        c.getDuration("sse-keep-alive"),
        c.getInt("sse-queue-size"),
        c.getDuration("sse-retry"),
        c.getDuration("sse-hold-back"),
        c.getDuration("stream-retention"),
        c.getInt("stream-buffer-events"),
        c.getDuration("client-request-timeout"),
        c.getDuration("session-idle-timeout"),
        c.getDuration("lookup-timeout"),
        c.getInt("pending-notifications"),
        c.getInt("answered-request-ids"),
        McpLimits.fromConfig(c),
        c.getDuration("request-end-batch"));
  }
}
