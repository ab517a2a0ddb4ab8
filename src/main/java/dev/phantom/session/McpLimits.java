package dev.phantom.session;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * What one client may hold on a node, read once from {@code phantom.mcp.limits} (defaults and the
 * reasons for them in reference.conf). Every limit is checked before anything is changed, and a refusal
 * is an HTTP status with a JSON-RPC error naming the limit (docs/http-errors.md).
 *
 * @param maxIdLength longest JSON-RPC id (a string's characters, a number's digits)
 * @param maxClientInfoBytes largest {@code clientInfo}, and largest {@code capabilities}, of an initialize (serialized)
 * @param maxJsonDepth deepest nesting of arrays and objects in a POSTed message
 * @param maxUriLength longest resource URI a request may name
 * @param maxSessionsPerNode sessions homed on one node
 * @param maxSessionsPerPrincipal sessions of one authenticated principal homed on one node (anonymous
 *     sessions are bounded by {@code maxSessionsPerNode} only)
 * @param maxInFlightPerSession requests of one session running at once (cluster-wide: the session counts them)
 * @param maxInFlightPerNode requests running at once on one node (both eras)
 * @param maxHandlerTasks handler tasks queued or running on a node's handler executor; beyond, 503 with Retry-After
 * @param maxSubscriptionsPerSession resources one session may subscribe to
 * @param maxSubscriptionsPerNode resource subscriptions of all sessions homed on one node (each is a
 *     replicated tracker entry)
 * @param maxPendingServerRequests server-to-client requests of one session waiting for answers on one node
 * @param streamBufferBytes the bytes of events one stream keeps for replay
 * @param urlElicitationRetention how long a session awaits the completion of a URL elicitation
 * @param retryAfter the Retry-After of a 503 for a full node
 */
public record McpLimits(
    int maxIdLength,
    int maxClientInfoBytes,
    int maxJsonDepth,
    int maxUriLength,
    int maxSessionsPerNode,
    int maxSessionsPerPrincipal,
    int maxInFlightPerSession,
    int maxInFlightPerNode,
    int maxHandlerTasks,
    int maxSubscriptionsPerSession,
    int maxSubscriptionsPerNode,
    int maxPendingServerRequests,
    long streamBufferBytes,
    Duration urlElicitationRetention,
    Duration retryAfter) {

  public static McpLimits fromConfig(Config mcp) {
    Config c = mcp.getConfig("limits");
    return new McpLimits(
        c.getInt("max-id-length"),
        (int) Math.min(Integer.MAX_VALUE, c.getBytes("max-client-info-size")),
        c.getInt("max-json-depth"),
        c.getInt("max-uri-length"),
        c.getInt("max-sessions-per-node"),
        c.getInt("max-sessions-per-principal"),
        c.getInt("max-in-flight-per-session"),
        c.getInt("max-in-flight-per-node"),
        c.getInt("max-handler-tasks"),
        c.getInt("max-subscriptions-per-session"),
        c.getInt("max-subscriptions-per-node"),
        c.getInt("max-pending-server-requests"),
        c.getBytes("stream-buffer-size"),
        c.getDuration("url-elicitation-retention"),
        c.getDuration("retry-after"));
  }
}
