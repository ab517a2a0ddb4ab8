package dev.phantom.stateless;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Optional;

/**
 * Which wire a POSTed request is served on: the 2026-07-28 (stateless, per-request {@code _meta}) wire or
 * the session wire of 2025-11-25 and earlier.
 *
 * <p>A request is modern when its {@code params._meta} carries {@value Envelope#PROTOCOL_VERSION} (whatever
 * its value: a malformed or unsupported version is then answered by the modern rules, {@code -32602} or
 * {@code -32022}, instead of being mistaken for a session request), or when its {@code MCP-Protocol-Version}
 * header names a modern version (so a modern request that lost its {@code _meta} gets {@code -32602}, not a
 * session error). Anything else is left to the session wire.
 */
public final class EraDecision {
  private EraDecision() {}

  /**
   * @param params the request's {@code params} (may be {@code null})
   * @param versionHeader the {@code MCP-Protocol-Version} header as received; surrounding spaces and tabs
   *     are ignored
   * @param modernVersions the 2026-07-28-era versions the server serves
   */
  public static boolean isModern(JsonNode params, Optional<String> versionHeader, List<String> modernVersions) {
    if (params != null && params.path("_meta").has(Envelope.PROTOCOL_VERSION)) return true;
    return versionHeader.map(WireHeaders::trimOws).filter(modernVersions::contains).isPresent();
  }
}
