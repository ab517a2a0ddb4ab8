package dev.phantom.session;

import dev.phantom.mcp.McpError;

/**
 * Why a request is refused before it runs, as the HTTP layer answers it: a status, a JSON-RPC error, and
 * for a full node the seconds after which to retry. Decided by the session (another principal, too many
 * requests) or by the node (limits), and carried between nodes as a message field.
 *
 * @param retryAfterSeconds 0 for none
 */
public record Refusal(int status, int code, String message, long retryAfterSeconds) implements ClusterMessage {

  public static Refusal sessionNotFound() {
    return new Refusal(404, McpError.SESSION_NOT_FOUND, "Session not found", 0);
  }

  public static Refusal homeTimedOut() {
    return new Refusal(503, McpError.SERVER_ERROR, "The session's node did not answer in time", 0);
  }

  /** The request's principal is not the one that opened the session (the same answer for every kind of request). */
  public static Refusal otherPrincipal() {
    return new Refusal(403, McpError.SERVER_ERROR, "Forbidden: the session belongs to another principal", 0);
  }

  /** A per-client limit: 429, with the limit's name and value in the message. */
  public static Refusal tooMany(String what, int limit) {
    return new Refusal(429, McpError.SERVER_ERROR, "Too many " + what + " (limit " + limit + ")", 0);
  }

  /** The node is full: 503, retry later (maybe on another node). */
  public static Refusal nodeFull(String what, int limit, long retryAfterSeconds) {
    return new Refusal(503, McpError.SERVER_ERROR,
        "Service unavailable: this node has too many " + what + " (limit " + limit + "); retry later", retryAfterSeconds);
  }

  /**
   * Whether this says the session itself is unknown or unreachable, rather than refusing one request
   * of it: answered as a transport error (id null), as for GET and DELETE.
   */
  public boolean isAboutTheSession() {
    return equals(sessionNotFound()) || equals(homeTimedOut());
  }

  public McpError error() {
    return new McpError(code, message);
  }
}
