package dev.phantom.mcp;

import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Decides, from the HTTP headers of a request, whether a client may go on, as whom, and what it may
 * see: for a 2025-11-25 session at its {@code initialize} (before the session exists), for the
 * stateless 2026-07-28 wire at every request. Implement {@link #connect} for a decision made at once,
 * or override {@link #connectAsync} to ask another service (the server waits for it) and to see every
 * value of a repeated header.
 *
 * <pre>{@code
 * ConnectHook hook = headers -> {
 *   String auth = headers.get("authorization");
 *   if (auth == null) return ConnectHook.Decision.unauthorized("Bearer realm=\"mcp\"");
 *   return ConnectHook.Decision.allow(userFrom(auth));
 * };
 * }</pre>
 */
@FunctionalInterface
public interface ConnectHook {

  /** @param headers request headers, names in lower case; a repeated header's last value */
  Decision connect(Map<String, String> headers);

  /**
   * The decision, possibly later. The default runs {@link #connect} with each header's last value.
   *
   * <pre>{@code
   * ConnectHook hook = new ConnectHook() {
   *   public Decision connect(Map<String, String> headers) { throw new UnsupportedOperationException(); }
   *   public CompletionStage<Decision> connectAsync(Map<String, List<String>> headers) {
   *     return tokens.verify(headers.getOrDefault("authorization", List.of()))
   *         .thenApply(user -> user == null ? Decision.unauthorized("Bearer") : Decision.allow(user));
   *   }
   * };
   * }</pre>
   *
   * @param headers every request header by lower-case name, repeated ones in order
   */
  default java.util.concurrent.CompletionStage<Decision> connectAsync(Map<String, java.util.List<String>> headers) {
    Map<String, String> last = new java.util.HashMap<>();
    headers.forEach((name, values) -> {
      if (!values.isEmpty()) last.put(name, values.get(values.size() - 1));
    });
    try {
      return java.util.concurrent.CompletableFuture.completedFuture(connect(last));
    } catch (RuntimeException e) {
      return java.util.concurrent.CompletableFuture.failedFuture(e);
    }
  }

  ConnectHook ALLOW_ALL = headers -> Decision.allow(null);

  sealed interface Decision {
    static Decision allow(String principal) {
      return new Allow(Optional.ofNullable(principal), AllowList.ALL);
    }

    static Decision allow(String principal, AllowList allowList) {
      return new Allow(Optional.ofNullable(principal), allowList);
    }

    /** 401 with this {@code WWW-Authenticate} challenge. */
    static Decision unauthorized(String wwwAuthenticate) {
      return new Unauthorized(wwwAuthenticate);
    }

    /** 403 with this message. */
    static Decision forbidden(String message) {
      return new Forbidden(message);
    }
  }

  record Allow(Optional<String> principal, AllowList allowList) implements Decision {}

  record Unauthorized(String wwwAuthenticate) implements Decision {}

  record Forbidden(String message) implements Decision {}

  /**
   * Which tools, prompts and resources (by name; resources by URI, templates by URI template) a session
   * may list and use; {@code null} for a kind means all of it.
   */
  record AllowList(Set<String> tools, Set<String> prompts, Set<String> resources) {
    public static final AllowList ALL = new AllowList(null, null, null);

    public boolean tool(String name) {
      return tools == null || tools.contains(name);
    }

    public boolean prompt(String name) {
      return prompts == null || prompts.contains(name);
    }

    public boolean resource(String uriOrTemplate) {
      return resources == null || resources.contains(uriOrTemplate);
    }
  }
}
