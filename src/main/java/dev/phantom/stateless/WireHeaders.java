package dev.phantom.stateless;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.phantom.mcp.McpError;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The 2026-07-28 Streamable HTTP header rules of a POSTed request, checked against its body. The transport
 * mirrors body fields into headers so that load balancers and gateways can route without parsing the body;
 * a server that acts on the body must therefore refuse a request whose headers say something else, or an
 * intermediary could be steered by headers the server never honours. Every failure is {@code -32020
 * HeaderMismatch} (HTTP 400).
 *
 * <ul>
 *   <li>{@code MCP-Protocol-Version} is required and equals {@code _meta}'s {@value
 *       Envelope#PROTOCOL_VERSION}.
 *   <li>{@code Mcp-Method} is required and equals the JSON-RPC {@code method}.
 *   <li>{@code Mcp-Name} is required on {@code tools/call} and {@code prompts/get} (equal to {@code
 *       params.name}) and {@code resources/read} (equal to {@code params.uri}) when the body has that string,
 *       and must be absent when it has not. Other methods' {@code Mcp-Name} is not looked at.
 *   <li>{@code Mcp-Param-<Name>}, for each {@code x-mcp-header} of the called tool ({@link ParamHeaders#of}):
 *       required when the argument has a non-null value and equal to it (a string as is, an integer or
 *       number compared numerically so {@code 42.0} matches {@code 42}, a boolean as {@code true}/{@code
 *       false}); absent when the argument is missing or {@code null}; an object or array argument matches no
 *       header. {@code Mcp-Param-*} headers the tool does not declare are ignored.
 * </ul>
 *
 * Header names are case-insensitive, values case-sensitive. Before comparing, a value loses its leading
 * and trailing spaces and tabs (RFC 9110 OWS); a header given more than once, or a value with a character
 * other than visible ASCII, space and tab, is refused. {@code Mcp-Name} and {@code Mcp-Param-*} values of
 * the form {@code =?base64?<standard base64>?=} (markers lower-case, exactly) are decoded as UTF-8 first;
 * padding is required and a malformed or non-canonical body is a mismatch. Any other value, including
 * {@code =?BASE64?...?=} or a value missing a marker, is taken literally.
 */
public final class WireHeaders {
  public static final String PROTOCOL_VERSION = "MCP-Protocol-Version";
  public static final String METHOD = "Mcp-Method";
  public static final String NAME = "Mcp-Name";
  /** The body field {@code Mcp-Name} mirrors, by method. */
  public static final Map<String, String> NAME_SOURCES =
      Map.of("tools/call", "name", "prompts/get", "name", "resources/read", "uri");

  private static final String BASE64_PREFIX = "=?base64?";
  private static final String BASE64_SUFFIX = "?=";
  private static final int QUOTE_LIMIT = 80;

  private WireHeaders() {}

  /**
   * Admits a modern request over HTTP, in the order that gives each conflict its one right error:
   *
   * <ol>
   *   <li>{@link Envelope#parse}: a missing or malformed {@code _meta} field is {@code -32602}, even when
   *       the version header is there (the header cannot be compared with a version that is missing);
   *   <li>{@link #checkProtocolVersion}: a header that is missing or differs from {@code _meta} is {@code
   *       -32020}, even when the {@code _meta} version is unsupported;
   *   <li>{@link Envelope#requireSupported}: header and {@code _meta} agree on a version not served: {@code
   *       -32022} (this revision's other header rules do not apply to a version it does not speak);
   *   <li>{@link #checkMirrors}: {@code Mcp-Method}, {@code Mcp-Name}, {@code Mcp-Param-*}: {@code -32020}.
   * </ol>
   *
   * @param toolInputSchema the {@code inputSchema} of the tool a {@code tools/call} names, when it exists
   * @return the request's envelope
   */
  public static Envelope admit(Map<String, List<String>> headers, String method, JsonNode params,
      Optional<ObjectNode> toolInputSchema, List<String> modernVersions, List<String> allSupportedVersions) {
    Envelope envelope = Envelope.parse(params);
    Map<String, List<String>> byName = byLowerCaseName(headers);
    checkProtocolVersionIn(byName, envelope.protocolVersion());
    envelope.requireSupported(modernVersions, allSupportedVersions);
    checkMirrorsIn(byName, method, params, toolInputSchema);
    return envelope;
  }

  /**
   * Every header rule for a request whose envelope was already read: {@link #checkProtocolVersion}, then
   * {@link #checkMirrors}. Use {@link #admit} to get the order against version support right as well.
   *
   * @param headers the request headers by name (any case), values as received
   * @param metaProtocolVersion the {@code _meta} {@value Envelope#PROTOCOL_VERSION}
   * @throws McpError {@code -32020} on the first rule broken
   */
  public static void check(Map<String, List<String>> headers, String method, JsonNode params,
      String metaProtocolVersion, Optional<ObjectNode> toolInputSchema) {
    Map<String, List<String>> byName = byLowerCaseName(headers);
    checkProtocolVersionIn(byName, metaProtocolVersion);
    checkMirrorsIn(byName, method, params, toolInputSchema);
  }

  /** {@code MCP-Protocol-Version} is present and equals {@code metaProtocolVersion}; else {@code -32020}. */
  public static void checkProtocolVersion(Map<String, List<String>> headers, String metaProtocolVersion) {
    checkProtocolVersionIn(byLowerCaseName(headers), metaProtocolVersion);
  }

  /** {@code Mcp-Method}, then {@code Mcp-Name}, then each {@code Mcp-Param-*}; else {@code -32020}. */
  public static void checkMirrors(Map<String, List<String>> headers, String method, JsonNode params,
      Optional<ObjectNode> toolInputSchema) {
    checkMirrorsIn(byLowerCaseName(headers), method, params, toolInputSchema);
  }

  private static void checkProtocolVersionIn(Map<String, List<String>> headers, String metaVersion) {
    String header = single(headers, PROTOCOL_VERSION)
        .orElseThrow(() -> McpError.headerMismatch(PROTOCOL_VERSION + " header is missing"));
    if (!header.equals(metaVersion)) {
      throw McpError.headerMismatch(PROTOCOL_VERSION + " header value " + quote(header)
          + " does not match _meta " + Envelope.PROTOCOL_VERSION + " " + quote(metaVersion));
    }
  }

  private static void checkMirrorsIn(Map<String, List<String>> headers, String method, JsonNode params,
      Optional<ObjectNode> toolInputSchema) {
    String methodHeader = single(headers, METHOD)
        .orElseThrow(() -> McpError.headerMismatch(METHOD + " header is missing"));
    if (!methodHeader.equals(method)) {
      throw McpError.headerMismatch(METHOD + " header value " + quote(methodHeader)
          + " does not match body method " + quote(method));
    }

    String nameField = NAME_SOURCES.get(method);
    if (nameField != null) {
      JsonNode name = params == null ? null : params.get(nameField);
      Optional<JsonNode> body = name != null && name.isTextual() ? Optional.of(name) : Optional.empty();
      compare(headers, NAME, body, "params." + nameField);
    }

    if (method.equals("tools/call") && toolInputSchema.isPresent()) {
      JsonNode arguments = params == null ? null : params.get("arguments");
      for (ParamHeaders.Annotation a : ParamHeaders.of(toolInputSchema.get())) {
        compare(headers, a.headerName(), a.valueIn(arguments), a.where());
      }
    }
  }

  /** One mirrored value: the header is there exactly when the body value is, and decodes to it. */
  private static void compare(Map<String, List<String>> headers, String name, Optional<JsonNode> body,
      String where) {
    Optional<String> header = single(headers, name);
    if (body.isEmpty()) {
      if (header.isPresent()) {
        throw McpError.headerMismatch(name + " header is present but the body has no " + where);
      }
      return;
    }
    String raw = header.orElseThrow(
        () -> McpError.headerMismatch(name + " header is missing but the body has " + where));
    String value = decode(raw).orElseThrow(() -> McpError.headerMismatch(name + " header value "
        + quote(raw) + " is not valid " + BASE64_PREFIX + "..." + BASE64_SUFFIX + " (standard base64 of UTF-8)"));
    if (!matches(value, body.get())) {
      throw McpError.headerMismatch(name + " header value " + quote(value) + " does not match body value "
          + (body.get().isTextual() ? quote(body.get().asText()) : body.get().toString()) + " of " + where);
    }
  }

  private static boolean matches(String header, JsonNode body) {
    if (body.isTextual()) return header.equals(body.asText());
    if (body.isBoolean()) return header.equals(body.asBoolean() ? "true" : "false");
    if (body.isNumber()) {
      try {
        return new BigDecimal(header).compareTo(new BigDecimal(body.asText())) == 0;
      } catch (NumberFormatException e) {
        return false;
      }
    }
    return false;
  }

  /**
   * A header value as compared with the body: {@code =?base64?X?=} decoded (X strict standard base64 of
   * UTF-8), anything else as is; empty when the sentinel form does not decode.
   */
  public static Optional<String> decode(String value) {
    if (value.length() < BASE64_PREFIX.length() + BASE64_SUFFIX.length()
        || !value.startsWith(BASE64_PREFIX) || !value.endsWith(BASE64_SUFFIX)) {
      return Optional.of(value);
    }
    String encoded = value.substring(BASE64_PREFIX.length(), value.length() - BASE64_SUFFIX.length());
    byte[] bytes;
    try {
      bytes = Base64.getDecoder().decode(encoded);
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
    // Java's decoder accepts missing padding and ignores stray bits: only the canonical encoding passes.
    if (!Base64.getEncoder().encodeToString(bytes).equals(encoded)) return Optional.empty();
    try {
      return Optional.of(StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString());
    } catch (CharacterCodingException e) {
      return Optional.empty();
    }
  }

  /** The value without leading and trailing spaces and tabs (RFC 9110 OWS); other characters are kept. */
  public static String trimOws(String value) {
    int start = 0;
    int end = value.length();
    while (start < end && isOws(value.charAt(start))) start++;
    while (end > start && isOws(value.charAt(end - 1))) end--;
    return value.substring(start, end);
  }

  private static boolean isOws(char c) {
    return c == ' ' || c == '\t';
  }

  /** The header's one value, OWS-trimmed; empty when absent; -32020 when repeated or with a bad character. */
  private static Optional<String> single(Map<String, List<String>> headers, String name) {
    List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
    if (values == null || values.isEmpty()) return Optional.empty();
    if (values.size() > 1) {
      throw McpError.headerMismatch(name + " header is given " + values.size() + " times");
    }
    String value = trimOws(values.get(0));
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c != '\t' && (c < 0x20 || c > 0x7e)) {
        throw McpError.headerMismatch(name + " header value contains a character other than visible ASCII,"
            + " space and tab (use " + BASE64_PREFIX + "..." + BASE64_SUFFIX + ")");
      }
    }
    return Optional.of(value);
  }

  /** The headers keyed by lower-case name, values of names differing only in case joined. */
  private static Map<String, List<String>> byLowerCaseName(Map<String, List<String>> headers) {
    Map<String, List<String>> out = new HashMap<>();
    headers.forEach((name, values) ->
        out.computeIfAbsent(name.toLowerCase(Locale.ROOT), k -> new ArrayList<>()).addAll(values));
    return out;
  }

  private static String quote(String s) {
    return "'" + (s.length() > QUOTE_LIMIT ? s.substring(0, QUOTE_LIMIT) + "..." : s) + "'";
  }
}
