package dev.phantom.http;

import akka.http.javadsl.model.HttpRequest;
import akka.http.javadsl.model.StatusCodes;
import dev.phantom.mcp.McpError;
import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Protection against DNS rebinding: the Host header must name an allowed host, and an Origin header,
 * when present, must be an allowed origin or have an allowed host. Clients without Origin (not
 * browsers) pass.
 */
final class HostCheck {
  private final List<String> hosts;
  private final List<String> origins;

  HostCheck(List<String> allowedHosts, List<String> allowedOrigins) {
    this.hosts = allowedHosts.stream().map(h -> h.toLowerCase(Locale.ROOT)).toList();
    this.origins = allowedOrigins;
  }

  void check(HttpRequest request) {
    String host = HttpRules.header(request, "host").map(HostCheck::hostName).orElse("");
    if (!hostAllowed(host)) {
      throw new HttpRules.Reject(StatusCodes.FORBIDDEN, McpError.SERVER_ERROR, "Forbidden: Host not allowed");
    }
    Optional<String> origin = HttpRules.header(request, "origin");
    if (origin.isPresent() && !originAllowed(origin.get())) {
      throw new HttpRules.Reject(StatusCodes.FORBIDDEN, McpError.SERVER_ERROR, "Forbidden: Origin not allowed");
    }
  }

  private boolean hostAllowed(String host) {
    return hosts.contains("*") || hosts.contains(host);
  }

  private boolean originAllowed(String origin) {
    if (origins.contains("*") || origins.contains(origin)) return true;
    try {
      URI uri = new URI(origin);
      String host = uri.getHost();
      if (host == null) return false;
      host = host.toLowerCase(Locale.ROOT);
      if (host.contains(":") && !host.startsWith("[")) host = "[" + host + "]";
      return !hosts.contains("*") && hosts.contains(host);
    } catch (java.net.URISyntaxException e) {
      return false;
    }
  }

  /** The host name of a Host header value, without the port; IPv6 literals keep their brackets. */
  static String hostName(String hostHeader) {
    String h = hostHeader.trim().toLowerCase(Locale.ROOT);
    if (h.startsWith("[")) {
      int end = h.indexOf(']');
      return end > 0 ? h.substring(0, end + 1) : h;
    }
    int colon = h.indexOf(':');
    return colon >= 0 ? h.substring(0, colon) : h;
  }
}
