package dev.phantom.stateless;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.phantom.mcp.Json;
import dev.phantom.mcp.McpError;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class WireHeadersTest {
  private static final String MODERN = EnvelopeTest.MODERN;
  private static final String TOOL = "execute_sql";
  /** One annotated property of each allowed type, one named like a standard header, one nested. */
  private static final ObjectNode SCHEMA = Json.parseObject("""
      {"type": "object", "properties": {
        "region": {"type": "string", "x-mcp-header": "Region"},
        "priority": {"type": "integer", "x-mcp-header": "Priority"},
        "verbose": {"type": "boolean", "x-mcp-header": "Verbose"},
        "method_val": {"type": "string", "x-mcp-header": "Method"},
        "target": {"type": "object", "properties": {"zone": {"type": "string", "x-mcp-header": "Zone"}}},
        "query": {"type": "string"}},
       "required": ["query"]}""");

  /** A request under construction: the headers a conformant client sends, then what a test changes. */
  private static final class Request {
    final Map<String, List<String>> headers = new LinkedHashMap<>();
    final String method;
    final ObjectNode params;

    Request(String method, ObjectNode params) {
      this.method = method;
      this.params = params;
      header("MCP-Protocol-Version", MODERN).header("Mcp-Method", method);
    }

    Request header(String name, String... values) {
      headers.put(name, List.of(values));
      return this;
    }

    Request without(String name) {
      headers.remove(name);
      return this;
    }

    void check() {
      WireHeaders.check(headers, method, params, MODERN, Optional.of(SCHEMA));
    }
  }

  private static ObjectNode withMeta(String paramsJson) {
    ObjectNode params = Json.parseObject(paramsJson);
    params.set("_meta", EnvelopeTest.params(MODERN).get("_meta"));
    return params;
  }

  private static Request list() {
    return new Request("tools/list", withMeta("{}"));
  }

  /** {@code tools/call} of the annotated tool with these arguments, no Mcp-Param header yet. */
  private static Request call(String argumentsJson) {
    return new Request("tools/call", withMeta("{\"name\": \"" + TOOL + "\", \"arguments\": " + argumentsJson + "}"))
        .header("Mcp-Name", TOOL);
  }

  private static String base64(String s) {
    return "=?base64?" + Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8)) + "?=";
  }

  private static void passes(Request r) {
    assertDoesNotThrow(r::check);
  }

  private static void mismatch(Request r, String mentioning) {
    McpError e = assertThrows(McpError.class, r::check);
    assertEquals(McpError.HEADER_MISMATCH, e.code(), e::getMessage);
    assertTrue(e.getMessage().startsWith("Header mismatch: "), e::getMessage);
    assertTrue(e.getMessage().contains(mentioning), () -> e.getMessage() + " should mention " + mentioning);
  }

  // --- MCP-Protocol-Version ---

  @Test
  void theVersionHeaderIsRequiredAndEqualsMeta() {
    passes(list());
    mismatch(list().without("MCP-Protocol-Version"), "MCP-Protocol-Version header is missing");
    mismatch(list().header("MCP-Protocol-Version", "2025-11-25"), "'2025-11-25'");
    mismatch(list().header("MCP-Protocol-Version", ""), "MCP-Protocol-Version");
    passes(list().header("MCP-Protocol-Version", " 2026-07-28\t"));
  }

  // --- Mcp-Method ---

  @Test
  void theMethodHeaderIsRequiredAndEqualsTheMethod() {
    mismatch(list().without("Mcp-Method"), "Mcp-Method header is missing");
    mismatch(list().header("Mcp-Method", "prompts/list"), "'prompts/list' does not match body method 'tools/list'");
    mismatch(list().header("Mcp-Method", "TOOLS/LIST"), "'TOOLS/LIST'");
    mismatch(list().header("Mcp-Method", "tools/list/"), "Mcp-Method");
    mismatch(list().header("Mcp-Method", base64("tools/list")), "Mcp-Method");
  }

  @Test
  void headerNamesAreCaseInsensitive() {
    passes(list().without("Mcp-Method").header("mcp-method", "tools/list"));
    passes(list().without("Mcp-Method").header("MCP-METHOD", "tools/list"));
    passes(list().without("MCP-Protocol-Version").header("mcp-protocol-version", MODERN));
    passes(call("{\"region\": \"us-west1\"}").without("Mcp-Name").header("MCP-NAME", TOOL)
        .header("mcp-param-region", "us-west1"));
    passes(call("{\"region\": \"us-west1\"}").header("MCP-PARAM-REGION", "us-west1"));
  }

  @Test
  void aHeaderGivenTwiceIsRefused() {
    mismatch(list().header("Mcp-Method", "tools/list", "tools/list"), "given 2 times");
    mismatch(list().header("mcp-method", "tools/list"), "given 2 times");
    mismatch(call("{\"region\": \"us-west1\"}").header("Mcp-Param-Region", "us-west1")
        .header("mcp-param-region", "us-west1"), "given 2 times");
  }

  @Test
  void owsAroundValuesIsTrimmed() {
    passes(list().header("Mcp-Method", "  tools/list  "));
    passes(list().header("Mcp-Method", "\ttools/list\t"));
    passes(call("{}").header("Mcp-Name", "  " + TOOL + "  "));
    passes(call("{\"region\": \"us-west1\"}").header("Mcp-Param-Region", " us-west1 "));
    passes(call("{\"region\": \"us west 1\"}").header("Mcp-Param-Region", "us west 1"));
  }

  @Test
  void aValueWithAByteOutsideVisibleAsciiSpaceAndTabIsRefused() {
    mismatch(call("{}").header("Mcp-Name", "execute_sql\u0000"), "character other than visible ASCII");
    mismatch(call("{}").header("Mcp-Name", "exécute"), "character other than visible ASCII");
    mismatch(list().header("Mcp-Method", "tools/\nlist"), "character other than visible ASCII");
    mismatch(call("{\"region\": \"r\u00e9gion\"}").header("Mcp-Param-Region", "r\u00e9gion"), "visible ASCII");
    mismatch(call("{\"region\": \"a\u007fb\"}").header("Mcp-Param-Region", "a\u007fb"), "visible ASCII");
  }

  // --- Mcp-Name ---

  @Test
  void theNameHeaderMirrorsToolAndPromptNamesAndResourceUris() {
    passes(call("{}"));
    mismatch(call("{}").header("Mcp-Name", "wrong_tool_name"), "'wrong_tool_name' does not match body value 'execute_sql'");
    mismatch(call("{}").without("Mcp-Name"), "Mcp-Name header is missing but the body has params.name");
    mismatch(call("{}").header("Mcp-Name", "EXECUTE_SQL"), "Mcp-Name");

    Request prompt = new Request("prompts/get", withMeta("{\"name\": \"code_review\"}"));
    passes(prompt.header("Mcp-Name", "code_review"));
    mismatch(prompt.header("Mcp-Name", "other"), "'other'");
    mismatch(prompt.without("Mcp-Name"), "params.name");

    for (String uri : List.of("file:///projects/myapp/config.json", "file:///path/to/file%20name.txt",
        "https://example.com/resource?id=123")) {
      Request read = new Request("resources/read", withMeta("{\"uri\": \"" + uri + "\"}"));
      passes(read.header("Mcp-Name", uri));
      mismatch(read.header("Mcp-Name", uri + "x"), "params.uri");
      mismatch(read.without("Mcp-Name"), "params.uri");
    }
  }

  @Test
  void aNameOutsideTheSafeSetTravelsInBase64() {
    Request prompt = new Request("prompts/get", withMeta("{\"name\": \"天気 report\"}"));
    passes(prompt.header("Mcp-Name", base64("天気 report")));
    mismatch(prompt.header("Mcp-Name", base64("天気")), "Mcp-Name");
    passes(call("{}").header("Mcp-Name", base64(TOOL)), "a safe name may be encoded too");
    mismatch(call("{}").header("Mcp-Name", "=?base64?ZXhlY3V0ZV9zcWw?="), "not valid =?base64?");
  }

  @Test
  void aNameHeaderWithoutABodyNameIsRefusedAndOtherMethodsIgnoreIt() {
    Request nameless = new Request("tools/call", withMeta("{\"arguments\": {}}"));
    passes(nameless);
    mismatch(nameless.header("Mcp-Name", TOOL), "Mcp-Name header is present but the body has no params.name");
    mismatch(new Request("tools/call", withMeta("{\"name\": 7}")).header("Mcp-Name", "7"), "no params.name");
    passes(list().header("Mcp-Name", "anything"));
  }

  // --- Mcp-Param-{Name} ---

  @Test
  void aStringParameterMatchesExactly() {
    passes(call("{\"region\": \"us-west1\", \"query\": \"SELECT 1\"}").header("Mcp-Param-Region", "us-west1"));
    mismatch(call("{\"region\": \"us-west1\"}").header("Mcp-Param-Region", "us-east1"),
        "Mcp-Param-Region header value 'us-east1' does not match body value 'us-west1' of arguments.region");
    mismatch(call("{\"region\": \"us-west1\"}").header("Mcp-Param-Region", "US-WEST1"), "'US-WEST1'");
    passes(call("{\"region\": \"\"}").header("Mcp-Param-Region", ""));
    passes(call("{\"region\": \"\"}").header("Mcp-Param-Region", "=?base64??="));
  }

  @Test
  void aValueInTheBodyNeedsItsHeader() {
    mismatch(call("{\"region\": \"test-value\"}"), "Mcp-Param-Region header is missing but the body has arguments.region");
    mismatch(call("{\"priority\": 0}"), "Mcp-Param-Priority");
    mismatch(call("{\"verbose\": false}"), "Mcp-Param-Verbose");
    mismatch(call("{\"region\": \"\"}"), "Mcp-Param-Region", "an empty string is a value");
  }

  @Test
  void noValueMeansNoHeader() {
    passes(call("{}"));
    passes(call("{\"query\": \"SELECT 1\"}"));
    passes(call("{\"region\": null, \"verbose\": null}"));
    passes(new Request("tools/call", withMeta("{\"name\": \"" + TOOL + "\"}")).header("Mcp-Name", TOOL));
    mismatch(call("{}").header("Mcp-Param-Region", "us-west1"),
        "Mcp-Param-Region header is present but the body has no arguments.region");
    mismatch(call("{\"region\": null}").header("Mcp-Param-Region", "null"), "arguments.region");
  }

  @Test
  void integersCompareNumerically() {
    passes(call("{\"priority\": 42}").header("Mcp-Param-Priority", "42"));
    passes(call("{\"priority\": 42}").header("Mcp-Param-Priority", "42.0"));
    passes(call("{\"priority\": 42.0}").header("Mcp-Param-Priority", "42"));
    passes(call("{\"priority\": -7}").header("Mcp-Param-Priority", "-7"));
    passes(call("{\"priority\": 9007199254740991}").header("Mcp-Param-Priority", "9007199254740991"));
    passes(call("{\"priority\": 42}").header("Mcp-Param-Priority", base64("42")));
    passes(call("{\"priority\": 3.14159}").header("Mcp-Param-Priority", "3.14159"));
    mismatch(call("{\"priority\": 42}").header("Mcp-Param-Priority", "43"), "'43' does not match body value 42");
    mismatch(call("{\"priority\": 42}").header("Mcp-Param-Priority", "forty-two"), "Mcp-Param-Priority");
    mismatch(call("{\"priority\": 42}").header("Mcp-Param-Priority", "0x2A"), "Mcp-Param-Priority");
    mismatch(call("{\"priority\": 42}").header("Mcp-Param-Priority", ""), "Mcp-Param-Priority");
    mismatch(call("{\"priority\": 9007199254740993}").header("Mcp-Param-Priority", "9007199254740992"),
        "Mcp-Param-Priority");
    assertTimeoutPreemptively(Duration.ofSeconds(1), () -> mismatch(
        call("{\"priority\": 42}").header("Mcp-Param-Priority", "1e999999999"), "Mcp-Param-Priority"));
  }

  @Test
  void booleansAreLowerCaseTrueOrFalse() {
    passes(call("{\"verbose\": true}").header("Mcp-Param-Verbose", "true"));
    passes(call("{\"verbose\": false}").header("Mcp-Param-Verbose", "false"));
    mismatch(call("{\"verbose\": true}").header("Mcp-Param-Verbose", "True"), "'True'");
    mismatch(call("{\"verbose\": false}").header("Mcp-Param-Verbose", "0"), "'0'");
    mismatch(call("{\"verbose\": false}").header("Mcp-Param-Verbose", "true"), "body value false");
  }

  @Test
  void aValueOfAnotherTypeIsComparedAsItIs() {
    passes(call("{\"region\": \"42\"}").header("Mcp-Param-Region", "42"));
    mismatch(call("{\"region\": \"42\"}").header("Mcp-Param-Region", "42.0"), "Mcp-Param-Region");
    passes(call("{\"priority\": \"high\"}").header("Mcp-Param-Priority", "high"));
    mismatch(call("{\"region\": {\"a\": 1}}").header("Mcp-Param-Region", "{\"a\":1}"), "Mcp-Param-Region");
    mismatch(call("{\"region\": [\"a\"]}"), "Mcp-Param-Region", "an object or array cannot be mirrored");
  }

  @Test
  void base64ValuesAreDecodedBeforeComparing() {
    passes(call("{\"region\": \"Hello\"}").header("Mcp-Param-Region", "=?base64?SGVsbG8=?="));
    passes(call("{\"region\": \"Hello, 世界\"}").header("Mcp-Param-Region", "=?base64?SGVsbG8sIOS4lueVjA==?="));
    passes(call("{\"region\": \" padded \"}").header("Mcp-Param-Region", "=?base64?IHBhZGRlZCA=?="));
    passes(call("{\"region\": \"line1\\nline2\"}").header("Mcp-Param-Region", "=?base64?bGluZTEKbGluZTI=?="));
    passes(call("{\"region\": \"line1\\r\\nline2\"}").header("Mcp-Param-Region", "=?base64?bGluZTENCmxpbmUy?="));
    passes(call("{\"region\": \"\\tindented\"}").header("Mcp-Param-Region", "=?base64?CWluZGVudGVk?="));
    passes(call("{\"region\": \"日本語\"}").header("Mcp-Param-Region", "=?base64?5pel5pys6Kqe?="));
    passes(call("{\"region\": \"=?base64?literal?=\"}").header("Mcp-Param-Region", "=?base64?PT9iYXNlNjQ/bGl0ZXJhbD89?="));
    passes(call("{\"region\": \"Hello\"}").header("Mcp-Param-Region", "  =?base64?SGVsbG8=?=  "));
    mismatch(call("{\"region\": \"Hello\"}").header("Mcp-Param-Region", base64("hello")), "'hello'");
  }

  @Test
  void invalidBase64IsAMismatch() {
    for (String bad : List.of("=?base64?SGVsbG8?=", "=?base64?SGVs!!!bG8=?=", "=?base64?SGVsbG9=?=",
        "=?base64?SGVs bG8=?=", "=?base64?SGVsbG8-?=", "=?base64?/w==?=", "=?base64?SGVsbG8==?=")) {
      mismatch(call("{\"region\": \"Hello\"}").header("Mcp-Param-Region", bad), "is not valid =?base64?");
    }
  }

  @Test
  void withoutBothMarkersAValueIsLiteral() {
    passes(call("{\"region\": \"SGVsbG8=\"}").header("Mcp-Param-Region", "SGVsbG8="));
    passes(call("{\"region\": \"=?base64?SGVsbG8=\"}").header("Mcp-Param-Region", "=?base64?SGVsbG8="));
    passes(call("{\"region\": \"SGVsbG8=?=\"}").header("Mcp-Param-Region", "SGVsbG8=?="));
    passes(call("{\"region\": \"=?BASE64?SGVsbG8=?=\"}").header("Mcp-Param-Region", "=?BASE64?SGVsbG8=?="));
    mismatch(call("{\"region\": \"Hello\"}").header("Mcp-Param-Region", "=?BASE64?SGVsbG8=?="), "'=?BASE64?");
    passes(call("{\"region\": \"=?base64?=\"}").header("Mcp-Param-Region", "=?base64?="), "markers overlap");
  }

  @Test
  void aParameterNamedMethodIsNotTheMethodHeader() {
    passes(call("{\"method_val\": \"test-method\"}").header("Mcp-Param-Method", "test-method"));
    mismatch(call("{\"method_val\": \"test-method\"}").header("Mcp-Method", "test-method"), "Mcp-Method");
  }

  @Test
  void nestedPropertiesAreMirroredByTheirPath() {
    passes(call("{\"target\": {\"zone\": \"a\"}}").header("Mcp-Param-Zone", "a"));
    mismatch(call("{\"target\": {\"zone\": \"a\"}}"), "arguments.target.zone");
    passes(call("{\"target\": {}}"));
    passes(call("{\"target\": \"flat\"}"));
    mismatch(call("{\"target\": \"flat\"}").header("Mcp-Param-Zone", "flat"), "no arguments.target.zone");
  }

  @Test
  void onlyTheCalledToolsAnnotationsCount() {
    passes(call("{\"query\": \"SELECT 1\"}").header("Mcp-Param-Query", "anything"));
    passes(call("{\"region\": \"us-west1\"}").header("Mcp-Param-Region", "us-west1").header("Mcp-Param-Other", "x"));
    Request unknownTool = call("{\"region\": \"us-west1\"}");
    assertDoesNotThrow(() -> WireHeaders.check(unknownTool.headers, "tools/call", unknownTool.params, MODERN,
        Optional.empty()));
    Request listing = list().header("Mcp-Param-Region", "us-west1");
    passes(listing);
  }

  @Test
  void checksRunInOrderVersionMethodNameParams() {
    Request all = call("{\"region\": \"us-west1\"}").header("MCP-Protocol-Version", "x").header("Mcp-Method", "x")
        .header("Mcp-Name", "x").header("Mcp-Param-Region", "x");
    mismatch(all, "MCP-Protocol-Version");
    mismatch(all.header("MCP-Protocol-Version", MODERN), "Mcp-Method");
    mismatch(all.header("Mcp-Method", "tools/call"), "Mcp-Name");
    mismatch(all.header("Mcp-Name", TOOL), "Mcp-Param-Region");
    passes(all.header("Mcp-Param-Region", "us-west1"));
  }

  // --- admit: envelope and headers together, in the order the conformance suite pins ---

  private static McpError admitFails(int code, Request r) {
    McpError e = assertThrows(McpError.class, () -> admit(r));
    assertEquals(code, e.code(), e::getMessage);
    return e;
  }

  private static Envelope admit(Request r) {
    return WireHeaders.admit(r.headers, r.method, r.params, Optional.of(SCHEMA), EnvelopeTest.MODERN_VERSIONS,
        EnvelopeTest.ALL_VERSIONS);
  }

  private static Request discover(ObjectNode params) {
    return new Request("server/discover", params);
  }

  @Test
  void admitReturnsTheEnvelopeOfAConformantRequest() {
    Envelope env = admit(call("{\"region\": \"us-west1\"}").header("Mcp-Param-Region", "us-west1"));
    assertEquals(MODERN, env.protocolVersion());
    assertEquals(MODERN, admit(discover(EnvelopeTest.params(MODERN))).protocolVersion());
  }

  @Test
  void anUnsupportedVersionInHeaderAndMetaIs32022() {
    McpError e = admitFails(McpError.UNSUPPORTED_PROTOCOL_VERSION,
        discover(EnvelopeTest.params("v999.0.0")).header("MCP-Protocol-Version", "v999.0.0"));
    assertEquals("v999.0.0", e.data().get("requested").asText());
    assertEquals(EnvelopeTest.ALL_VERSIONS.size(), e.data().get("supported").size());
  }

  @Test
  void aVersionHeaderDifferingFromMetaIs32020EvenWhenMetaIsUnsupported() {
    admitFails(McpError.HEADER_MISMATCH, discover(EnvelopeTest.params("v999.0.0")));
    admitFails(McpError.HEADER_MISMATCH, discover(EnvelopeTest.params("v999.0.0")).without("MCP-Protocol-Version"));
    admitFails(McpError.HEADER_MISMATCH, discover(EnvelopeTest.params(MODERN)).without("MCP-Protocol-Version"));
  }

  @Test
  void aMalformedEnvelopeIs32602EvenWhenHeadersDisagree() {
    admitFails(McpError.INVALID_PARAMS, discover(Json.object()));
    admitFails(McpError.INVALID_PARAMS, new Request("tools/list", null));
    ObjectNode noVersion = EnvelopeTest.params(MODERN);
    ((ObjectNode) noVersion.get("_meta")).remove(Envelope.PROTOCOL_VERSION);
    admitFails(McpError.INVALID_PARAMS, discover(noVersion));
    ObjectNode noCapabilities = EnvelopeTest.params("v999.0.0");
    ((ObjectNode) noCapabilities.get("_meta")).remove(Envelope.CLIENT_CAPABILITIES);
    admitFails(McpError.INVALID_PARAMS, discover(noCapabilities).header("Mcp-Method", "tools/list"));
  }

  @Test
  void versionSupportComesBeforeTheOtherHeaders() {
    admitFails(McpError.UNSUPPORTED_PROTOCOL_VERSION, discover(EnvelopeTest.params("v999.0.0"))
        .header("MCP-Protocol-Version", "v999.0.0").header("Mcp-Method", "tools/list"));
    admitFails(McpError.HEADER_MISMATCH, discover(EnvelopeTest.params(MODERN)).header("Mcp-Method", "tools/list"));
    admitFails(McpError.HEADER_MISMATCH, call("{\"region\": \"us-west1\"}"));
  }

  @Test
  void decodeAndTrimAreExposedForTheTransport() {
    assertEquals(Optional.of("Hello"), WireHeaders.decode("=?base64?SGVsbG8=?="));
    assertEquals(Optional.of("plain"), WireHeaders.decode("plain"));
    assertEquals(Optional.empty(), WireHeaders.decode("=?base64?SGVsbG8?="));
    assertEquals("a \t b", WireHeaders.trimOws(" \t a \t b\t "));
    assertEquals("\u000ba", WireHeaders.trimOws("\u000ba "), "only spaces and tabs are OWS");
  }

  private static void passes(Request r, String why) {
    assertDoesNotThrow(r::check, why);
  }

  private static void mismatch(Request r, String mentioning, String why) {
    McpError e = assertThrows(McpError.class, r::check, why);
    assertEquals(McpError.HEADER_MISMATCH, e.code(), e::getMessage);
    assertTrue(e.getMessage().contains(mentioning), () -> e.getMessage() + " should mention " + mentioning);
  }
}
