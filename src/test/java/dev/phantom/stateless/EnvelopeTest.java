package dev.phantom.stateless;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.phantom.mcp.Json;
import dev.phantom.mcp.LogLevel;
import dev.phantom.mcp.McpError;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class EnvelopeTest {
  static final String MODERN = "2026-07-28";
  static final List<String> MODERN_VERSIONS = List.of(MODERN);
  static final List<String> ALL_VERSIONS = List.of(MODERN, "2025-11-25", "2025-06-18", "2025-03-26");

  /** The envelope the conformance suite sends: protocolVersion, clientInfo and clientCapabilities. */
  static ObjectNode params(String version) {
    return Json.parseObject("""
        {"name": "echo", "_meta": {
          "io.modelcontextprotocol/protocolVersion": "%s",
          "io.modelcontextprotocol/clientInfo": {"name": "conformance-test-client", "version": "1.0.0"},
          "io.modelcontextprotocol/clientCapabilities": {"sampling": {}, "elicitation": {}}}}""".formatted(version));
  }

  private static ObjectNode meta(ObjectNode params) {
    return (ObjectNode) params.get("_meta");
  }

  private static Envelope read(JsonNode params) {
    return Envelope.read(params, MODERN_VERSIONS, ALL_VERSIONS);
  }

  private static McpError fails(int code, Executable call) {
    McpError e = assertThrows(McpError.class, call);
    assertEquals(code, e.code(), e::getMessage);
    return e;
  }

  private static void invalidParams(JsonNode params, String naming) {
    McpError e = fails(McpError.INVALID_PARAMS, () -> read(params));
    assertTrue(e.getMessage().contains(naming), e::getMessage);
  }

  @Test
  void readsEveryField() {
    ObjectNode params = params(MODERN);
    meta(params).put(Envelope.LOG_LEVEL, "warning").put(Envelope.PROGRESS_TOKEN, "tok-1");
    Envelope env = read(params);
    assertEquals(MODERN, env.protocolVersion());
    assertEquals(Json.parseObject("{\"sampling\": {}, \"elicitation\": {}}"), env.clientCapabilities());
    assertEquals("conformance-test-client", env.clientInfo().path("name").asText());
    assertEquals(Optional.of(LogLevel.WARNING), env.logLevel());
    assertEquals("tok-1", env.progressToken().asText());
  }

  @Test
  void optionalFieldsMayBeAbsentOrNull() {
    ObjectNode params = params(MODERN);
    meta(params).remove(Envelope.CLIENT_INFO);
    Envelope env = read(params);
    assertEquals(Json.object(), env.clientInfo(), "clientInfo is a SHOULD: absent reads as an empty object");
    assertEquals(Optional.empty(), env.logLevel(), "no logLevel: no notifications/message at all");
    assertNull(env.progressToken());

    meta(params).putNull(Envelope.CLIENT_INFO).putNull(Envelope.LOG_LEVEL).putNull(Envelope.PROGRESS_TOKEN);
    env = read(params);
    assertEquals(Json.object(), env.clientInfo());
    assertEquals(Optional.empty(), env.logLevel());
    assertNull(env.progressToken());
  }

  @Test
  void emptyCapabilitiesAreCapabilities() {
    ObjectNode params = params(MODERN);
    meta(params).set(Envelope.CLIENT_CAPABILITIES, Json.object());
    assertEquals(Json.object(), read(params).clientCapabilities());
  }

  @Test
  void progressTokenIsAStringOrANumber() {
    ObjectNode params = params(MODERN);
    meta(params).put(Envelope.PROGRESS_TOKEN, 7);
    assertEquals(7, read(params).progressToken().asInt());
    meta(params).put(Envelope.PROGRESS_TOKEN, true);
    invalidParams(params, Envelope.PROGRESS_TOKEN);
    meta(params).set(Envelope.PROGRESS_TOKEN, Json.object());
    invalidParams(params, Envelope.PROGRESS_TOKEN);
  }

  @Test
  void everyLogLevelParses() {
    ObjectNode params = params(MODERN);
    for (LogLevel level : LogLevel.values()) {
      meta(params).put(Envelope.LOG_LEVEL, level.wireName());
      assertEquals(Optional.of(level), read(params).logLevel());
    }
  }

  @Test
  void aBadLogLevelIsInvalidParams() {
    ObjectNode params = params(MODERN);
    meta(params).put(Envelope.LOG_LEVEL, "verbose");
    invalidParams(params, Envelope.LOG_LEVEL);
    meta(params).put(Envelope.LOG_LEVEL, "WARNING");
    invalidParams(params, Envelope.LOG_LEVEL);
    meta(params).put(Envelope.LOG_LEVEL, 3);
    invalidParams(params, Envelope.LOG_LEVEL);
  }

  @Test
  void aMissingMetaIsInvalidParams() {
    invalidParams(null, "_meta");
    invalidParams(Json.object(), "_meta");
    invalidParams(Json.parseObject("{\"name\": \"echo\"}"), "_meta");
    invalidParams(Json.parseObject("{\"_meta\": null}"), "_meta");
    invalidParams(Json.parseObject("{\"_meta\": \"2026-07-28\"}"), "_meta");
    invalidParams(Json.array(), "_meta");
  }

  @Test
  void aMissingProtocolVersionIsInvalidParams() {
    ObjectNode params = params(MODERN);
    meta(params).remove(Envelope.PROTOCOL_VERSION);
    invalidParams(params, Envelope.PROTOCOL_VERSION);
    meta(params).putNull(Envelope.PROTOCOL_VERSION);
    invalidParams(params, Envelope.PROTOCOL_VERSION);
    meta(params).put(Envelope.PROTOCOL_VERSION, 20260728);
    invalidParams(params, Envelope.PROTOCOL_VERSION);
  }

  @Test
  void missingClientCapabilitiesAreInvalidParams() {
    ObjectNode params = params(MODERN);
    meta(params).remove(Envelope.CLIENT_CAPABILITIES);
    invalidParams(params, Envelope.CLIENT_CAPABILITIES);
    meta(params).set(Envelope.CLIENT_CAPABILITIES, Json.array());
    invalidParams(params, Envelope.CLIENT_CAPABILITIES);
  }

  @Test
  void clientInfoMustBeAnObjectWhenPresent() {
    ObjectNode params = params(MODERN);
    meta(params).put(Envelope.CLIENT_INFO, "conformance-test-client");
    invalidParams(params, Envelope.CLIENT_INFO);
  }

  @Test
  void anUnsupportedVersionIs32022WithSupportedAndRequested() {
    McpError e = fails(McpError.UNSUPPORTED_PROTOCOL_VERSION, () -> read(params("v999.0.0")));
    assertEquals(Json.parseObject("""
        {"supported": ["2026-07-28", "2025-11-25", "2025-06-18", "2025-03-26"], "requested": "v999.0.0"}"""),
        e.data());
    assertTrue(e.getMessage().startsWith("Unsupported protocol version"), e::getMessage);
  }

  @Test
  void aLegacyVersionInMetaIsUnsupportedOnTheModernWire() {
    McpError e = fails(McpError.UNSUPPORTED_PROTOCOL_VERSION, () -> read(params("2025-11-25")));
    assertEquals("2025-11-25", e.data().get("requested").asText());
  }

  @Test
  void versionsCompareExactly() {
    fails(McpError.UNSUPPORTED_PROTOCOL_VERSION, () -> read(params(" 2026-07-28")));
    fails(McpError.UNSUPPORTED_PROTOCOL_VERSION, () -> read(params("2026-07-28-draft")));
  }

  @Test
  void theShapeIsCheckedBeforeTheVersion() {
    ObjectNode params = params("v999.0.0");
    meta(params).remove(Envelope.CLIENT_CAPABILITIES);
    invalidParams(params, Envelope.CLIENT_CAPABILITIES);
  }

  @Test
  void parseLeavesTheVersionToRequireSupported() {
    Envelope env = Envelope.parse(params("v999.0.0"));
    assertEquals("v999.0.0", env.protocolVersion());
    fails(McpError.UNSUPPORTED_PROTOCOL_VERSION, () -> env.requireSupported(MODERN_VERSIONS, ALL_VERSIONS));
    Envelope ok = Envelope.parse(params(MODERN));
    assertSame(ok, ok.requireSupported(MODERN_VERSIONS, ALL_VERSIONS));
  }

  @Test
  void modernVersionsMustBeAmongTheSupportedOnes() {
    assertThrows(IllegalArgumentException.class,
        () -> Envelope.read(params(MODERN), MODERN_VERSIONS, List.of("2025-11-25")));
  }
}
