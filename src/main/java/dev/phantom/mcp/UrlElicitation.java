package dev.phantom.mcp;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A URL-mode elicitation: the client opens {@code url} out of band (OAuth, payment); the server later
 * sends {@code notifications/elicitation/complete} for {@code elicitationId}.
 *
 * <pre>{@code
 * ctx.elicitUrl(new UrlElicitation("Sign in to continue", "https://example.com/login?s=" + id, id))
 * }</pre>
 */
public record UrlElicitation(String message, String url, String elicitationId) {
  public ObjectNode toJson() {
    return Json.object().put("mode", "url").put("message", message).put("url", url).put("elicitationId", elicitationId);
  }
}
