package dev.phantom.stateless;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.phantom.mcp.Json;
import dev.phantom.mcp.LogLevel;
import dev.phantom.mcp.McpError;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The per-request {@code params._meta} envelope of a 2026-07-28 (stateless) request. That revision has no
 * {@code initialize}: every request states its protocol version and the client's capabilities itself, and
 * the server must not infer them from earlier requests.
 *
 * <p>Reading takes two steps, because over HTTP a header check sits between them (see {@link
 * WireHeaders#admit}):
 *
 * <ol>
 *   <li>{@link #parse}: the shape. {@code _meta} must be an object carrying {@value #PROTOCOL_VERSION} (a
 *       string) and {@value #CLIENT_CAPABILITIES} (an object); {@value #CLIENT_INFO} (an object), {@value
 *       #LOG_LEVEL} (a level name) and {@value #PROGRESS_TOKEN} (a string or a number) are optional, and an
 *       explicit JSON {@code null} counts as absent. Anything else is {@code -32602 Invalid params}.
 *   <li>{@link #requireSupported}: the version must be one of the server's modern versions, or the answer is
 *       {@code -32022} with {@code data: {"supported": [...], "requested": "..."}}.
 * </ol>
 *
 * {@link #read} does both, for transports without headers.
 *
 * @param clientInfo the client's self-description, an empty object when the request carries none
 * @param logLevel the level of {@code notifications/message} the client asked for; absent means none at all
 * @param progressToken the token to put on progress notifications, or {@code null} when none was asked for
 */
public record Envelope(String protocolVersion, ObjectNode clientCapabilities, ObjectNode clientInfo,
    Optional<LogLevel> logLevel, JsonNode progressToken) {
  public static final String PROTOCOL_VERSION = "io.modelcontextprotocol/protocolVersion";
  public static final String CLIENT_CAPABILITIES = "io.modelcontextprotocol/clientCapabilities";
  public static final String CLIENT_INFO = "io.modelcontextprotocol/clientInfo";
  public static final String LOG_LEVEL = "io.modelcontextprotocol/logLevel";
  public static final String PROGRESS_TOKEN = "progressToken";

  public Envelope {
    Objects.requireNonNull(protocolVersion, "protocolVersion");
    Objects.requireNonNull(clientCapabilities, "clientCapabilities");
    Objects.requireNonNull(clientInfo, "clientInfo");
    Objects.requireNonNull(logLevel, "logLevel");
  }

  /**
   * Reads and validates the envelope of {@code params}: {@link #parse} then {@link #requireSupported}.
   *
   * @param params the request's {@code params}; {@code null} or missing is reported as a missing {@code _meta}
   * @param modernVersions the 2026-07-28-era versions served; each must be in {@code allSupportedVersions}
   * @param allSupportedVersions every version served, modern and legacy, exactly as {@code server/discover}
   *     reports them in {@code supportedVersions}; it is the {@code supported} list of a {@code -32022}
   * @throws McpError {@code -32602} for a missing or malformed field, {@code -32022} for a version not served
   */
  public static Envelope read(JsonNode params, List<String> modernVersions, List<String> allSupportedVersions) {
    return parse(params).requireSupported(modernVersions, allSupportedVersions);
  }

  /**
   * Reads the envelope's fields and checks their presence and types, but not whether the version is served.
   *
   * @throws McpError {@code -32602 Invalid params} naming the missing or malformed field
   */
  public static Envelope parse(JsonNode params) {
    if (params == null || params.isMissingNode() || params.isNull()) {
      throw McpError.invalidParams("params._meta is required on a 2026-07-28 request");
    }
    if (!params.isObject()) throw McpError.invalidParams("params must be an object carrying _meta");
    JsonNode meta = present(params.get("_meta"));
    if (meta == null) throw McpError.invalidParams("params._meta is required on a 2026-07-28 request");
    if (!meta.isObject()) throw McpError.invalidParams("params._meta must be an object");

    JsonNode version = present(meta.get(PROTOCOL_VERSION));
    if (version == null) throw missing(PROTOCOL_VERSION);
    if (!version.isTextual()) throw McpError.invalidParams("_meta " + PROTOCOL_VERSION + " must be a string");

    JsonNode capabilities = present(meta.get(CLIENT_CAPABILITIES));
    if (capabilities == null) throw missing(CLIENT_CAPABILITIES);
    if (!capabilities.isObject()) {
      throw McpError.invalidParams("_meta " + CLIENT_CAPABILITIES + " must be an object");
    }

    JsonNode info = present(meta.get(CLIENT_INFO));
    if (info != null && !info.isObject()) {
      throw McpError.invalidParams("_meta " + CLIENT_INFO + " must be an object");
    }

    JsonNode level = present(meta.get(LOG_LEVEL));
    Optional<LogLevel> logLevel = Optional.empty();
    if (level != null) {
      logLevel = level.isTextual() ? LogLevel.parse(level.asText()) : Optional.empty();
      if (logLevel.isEmpty()) {
        throw McpError.invalidParams("_meta " + LOG_LEVEL + " must be one of "
            + Arrays.stream(LogLevel.values()).map(LogLevel::wireName).collect(Collectors.joining(", ")));
      }
    }

    JsonNode token = present(meta.get(PROGRESS_TOKEN));
    if (token != null && !token.isTextual() && !token.isNumber()) {
      throw McpError.invalidParams("_meta " + PROGRESS_TOKEN + " must be a string or a number");
    }

    return new Envelope(version.asText(), (ObjectNode) capabilities,
        info == null ? Json.object() : (ObjectNode) info, logLevel, token);
  }

  /**
   * This envelope, when its version is one of {@code modernVersions}.
   *
   * @throws McpError {@code -32022} with {@code data.supported = allSupportedVersions} and {@code
   *     data.requested} = the version asked for
   * @throws IllegalArgumentException when {@code modernVersions} is not a subset of {@code
   *     allSupportedVersions} (the error would then advertise less than is served)
   */
  public Envelope requireSupported(List<String> modernVersions, List<String> allSupportedVersions) {
    if (!allSupportedVersions.containsAll(modernVersions)) {
      throw new IllegalArgumentException(
          "modern versions " + modernVersions + " are not all in the supported versions " + allSupportedVersions);
    }
    if (modernVersions.contains(protocolVersion)) return this;
    throw unsupportedVersion(protocolVersion, allSupportedVersions);
  }

  /** The {@code -32022 UnsupportedProtocolVersionError} for {@code requested}. */
  public static McpError unsupportedVersion(String requested, List<String> allSupportedVersions) {
    ArrayNode supported = Json.array();
    allSupportedVersions.forEach(supported::add);
    ObjectNode data = Json.object();
    data.set("supported", supported);
    data.put("requested", requested);
    return new McpError(McpError.UNSUPPORTED_PROTOCOL_VERSION, "Unsupported protocol version: " + requested
        + " (supported: " + String.join(", ", allSupportedVersions) + ")", data);
  }

  private static McpError missing(String field) {
    return McpError.invalidParams("_meta " + field + " is required on a 2026-07-28 request");
  }

  /** The node, or {@code null} when it is absent or JSON {@code null}. */
  private static JsonNode present(JsonNode node) {
    return node == null || node.isNull() || node.isMissingNode() ? null : node;
  }
}
