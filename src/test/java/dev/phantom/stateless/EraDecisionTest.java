package dev.phantom.stateless;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.phantom.mcp.Json;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class EraDecisionTest {
  private static final List<String> MODERN = List.of("2026-07-28");

  private static boolean modern(String params, String header) {
    JsonNode p = params == null ? null : Json.parseObject(params);
    return EraDecision.isModern(p, Optional.ofNullable(header), MODERN);
  }

  @Test
  void theMetaVersionKeyMakesARequestModern() {
    assertTrue(modern("{\"_meta\": {\"io.modelcontextprotocol/protocolVersion\": \"2026-07-28\"}}", null));
    assertTrue(modern("{\"_meta\": {\"io.modelcontextprotocol/protocolVersion\": \"2026-07-28\"}}", "2025-11-25"));
    // Unsupported or malformed: still the modern wire, so the answer is -32022 or -32602.
    assertTrue(modern("{\"_meta\": {\"io.modelcontextprotocol/protocolVersion\": \"v999.0.0\"}}", "v999.0.0"));
    assertTrue(modern("{\"_meta\": {\"io.modelcontextprotocol/protocolVersion\": 7}}", null));
    assertTrue(modern("{\"_meta\": {\"io.modelcontextprotocol/protocolVersion\": null}}", null));
  }

  @Test
  void aModernVersionHeaderMakesARequestModern() {
    assertTrue(modern(null, "2026-07-28"));
    assertTrue(modern("{}", "2026-07-28"));
    assertTrue(modern("{\"_meta\": {\"io.modelcontextprotocol/clientCapabilities\": {}}}", "2026-07-28"));
    assertTrue(modern("{}", " \t2026-07-28 "), "OWS around the header value is not part of it");
  }

  @Test
  void everythingElseIsTheSessionWire() {
    assertFalse(modern(null, null));
    assertFalse(modern("{}", null));
    assertFalse(modern("{\"protocolVersion\": \"2025-11-25\", \"capabilities\": {}}", "2025-11-25"));
    assertFalse(modern("{}", "v999.0.0"));
    assertFalse(modern("{\"_meta\": {\"progressToken\": 1}}", "2025-06-18"));
    assertFalse(modern("{\"_meta\": \"io.modelcontextprotocol/protocolVersion\"}", null));
  }
}
