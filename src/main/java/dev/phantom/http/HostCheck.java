package dev.phantom.http;

import akka.http.javadsl.model.HttpRequest;
import akka.http.javadsl.model.StatusCodes;
import dev.phantom.mcp.McpError;
import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Protection against DNS rebinding and cross-site requests: the Host header must name an allowed host,
 * and an Origin header, when present, must be an allowed origin or be this server's own origin: an
 * allowed host with the request's scheme and port (another port on the same machine is another web
 * origin, e.g. a dev server a malicious page runs on). Behind a proxy the scheme is the proxy's
 * {@code X-Forwarded-Proto} and the port that of the Host header the proxy passes on (nginx: {@code
 * proxy_set_header Host $http_host}). Clients without Origin (not browsers) pass.
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
    if (origin.isPresent() && !originAllowed(origin.get(), request)) {
      throw new HttpRules.Reject(StatusCodes.FORBIDDEN, McpError.SERVER_ERROR, "Forbidden: Origin not allowed");
    }
  }

  private boolean hostAllowed(String host) {
    return hosts.contains("*") || hosts.contains(host);
  }

  private boolean originAllowed(String origin, HttpRequest request) {
    if (origins.contains("*") || origins.contains(origin)) return true;
    try {
      URI uri = new URI(origin);
      String host = uri.getHost();
      String scheme = uri.getScheme();
      if (host == null || scheme == null) return false;
      host = host.toLowerCase(Locale.ROOT);
      if (host.contains(":") && !host.startsWith("[")) host = "[" + host + "]";
      if (hosts.contains("*") || !hosts.contains(host)) return false;
      String requestScheme = HttpRules.header(request, "x-forwarded-proto")
          .map(p -> p.split(",")[0].trim().toLowerCase(Locale.ROOT))
          .orElse(request.getUri().scheme().toLowerCase(Locale.ROOT));
      if (!scheme.toLowerCase(Locale.ROOT).equals(requestScheme)) return false;
      int originPort = uri.getPort() >= 0 ? uri.getPort() : defaultPort(requestScheme);
      int requestPort = HttpRules.header(request, "host").map(HostCheck::port).orElse(-1);
      return originPort == (requestPort >= 0 ? requestPort : defaultPort(requestScheme));
    } catch (java.net.URISyntaxException e) {
      return false;
    }
  }

  private static int defaultPort(String scheme) {
    return scheme.equals("https") ? 443 : 80;
  }

  /** The port of a Host header value, or -1 when it names none. */
  static int port(String hostHeader) {
    String h = hostHeader.trim();
    int colon = h.lastIndexOf(':');
    if (colon < 0 || h.lastIndexOf(']') > colon) return -1;
    try {
      return Integer.parseInt(h.substring(colon + 1));
    } catch (NumberFormatException e) {
      return -1;
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
