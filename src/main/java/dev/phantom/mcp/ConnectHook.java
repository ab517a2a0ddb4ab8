package dev.phantom.mcp;

import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Decides, from the HTTP headers of an {@code initialize} request, whether a client may open a session,
 * as whom, and what it may see. Runs once per session, before the session exists.
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

  /** @param headers request headers, names in lower case */
  Decision connect(Map<String, String> headers);

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
