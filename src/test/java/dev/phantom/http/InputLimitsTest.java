package dev.phantom.http;

import static dev.phantom.http.SecurityFixture.assertEchoes;
import static dev.phantom.http.SecurityFixture.assertRefused;
import static dev.phantom.http.SecurityFixture.bearer;
import static dev.phantom.http.SecurityFixture.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.phantom.http.SecurityFixture.Party;
import dev.phantom.mcp.Json;
import dev.phantom.mcp.JsonRpc;
import dev.phantom.testkit.McpTestClient;
import dev.phantom.testkit.McpTestClient.EventStream;
import dev.phantom.testkit.McpTestClient.Reply;
import dev.phantom.testkit.ModernClient;
import java.io.ByteArrayInputStream;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The size limits of a POSTed message over HTTP (ids, initialize's clientInfo and capabilities, URIs,
 * JSON depth, body size, Content-Length above akka-http's own limit), the subscription limits, the
 * Host/Origin check, and the same id limit on the 2026-07-28 wire. Each refusal is checked for its
 * status, code and message, and for changing nothing: the session goes on, and so does a bystander.
 */
class InputLimitsTest {
  private static final int MAX_ID = 40;
  private static final int MAX_INFO = 300;
  private static final int MAX_DEPTH = 16;
  private static final int MAX_URI = 100;
  private static final int MAX_SUBSCRIPTIONS = 3;
  private static final int MAX_BODY = 4096;
  private static final int AKKA_MAX_CONTENT_LENGTH = 32 * 1024;
  private static SecurityFixture f;

  @BeforeAll
  static void start() {
    f = SecurityFixture.start(1, String.join("\n",
        "phantom.mcp.max-body-size = " + MAX_BODY,
        "akka.http.server.parsing.max-content-length = " + AKKA_MAX_CONTENT_LENGTH,
        "phantom.mcp.limits {",
        "  max-id-length = " + MAX_ID,
        "  max-client-info-size = " + MAX_INFO,
        "  max-json-depth = " + MAX_DEPTH,
        "  max-uri-length = " + MAX_URI,
        "  max-subscriptions-per-session = " + MAX_SUBSCRIPTIONS,
        "}"));
  }

  @AfterAll
  static void stop() {
    if (f != null) f.close();
  }

  @AfterEach
  void bystanderIsUnaffected() {
    f.assertBystanderWorks();
  }

  private static Party alice() {
    return f.party(0, "alice").initialize();
  }

  // ------------------------------------------------------------------ ids

  @Test
  void anOversizedRequestIdIsRefused() {
    Party alice = alice();
    String longId = "i".repeat(MAX_ID + 1);
    ObjectNode call = JsonRpc.request(TextNode.valueOf(longId), "tools/call", Json.object().put("name", "echo"));
    JsonNode error = assertRefused(400, -32600, "id longer than " + MAX_ID, alice.post(call));
    assertTrue(error.path("id").isNull(), "the offending id is not echoed: " + error);
    // At the limit it is served.
    String atLimit = "i".repeat(MAX_ID);
    ObjectNode ok = JsonRpc.request(TextNode.valueOf(atLimit), "tools/call", echoParams("at the limit"));
    try (EventStream s = alice.stream(ok)) {
      assertEquals(200, s.status, s.body);
      JsonNode response = s.response();
      assertEquals(atLimit, response.path("id").asText());
      assertEquals("alice:at the limit", text(response));
    }
  }

  @Test
  void anOversizedAnswerIdIsRefused() {
    Party alice = alice();
    ObjectNode answer = Json.object().put("jsonrpc", "2.0").put("id", "a".repeat(MAX_ID + 1));
    answer.putObject("result").put("action", "decline");
    assertRefused(400, -32600, "id longer than " + MAX_ID, alice.post(answer));
    assertEchoes(alice, "alice");
  }

  @Test
  void anOversizedIdIsRefusedOnTheStatelessWireToo() {
    ModernClient modern = ModernClient.at(f.endpoints.get(0));
    ObjectNode call = modern.request(TextNode.valueOf("s".repeat(MAX_ID + 1)), "tools/call", echoParams("modern"));
    Map<String, String> headers = new HashMap<>(ModernClient.headersFor(call));
    headers.putAll(bearer("alice"));
    assertRefused(400, -32600, "id longer than " + MAX_ID, modern.post(call, headers));
    // The same request with a short id is served.
    ObjectNode ok = modern.request(TextNode.valueOf("short"), "tools/call", echoParams("modern"));
    Map<String, String> okHeaders = new HashMap<>(ModernClient.headersFor(ok));
    okHeaders.putAll(bearer("alice"));
    Reply served = modern.post(ok, okHeaders);
    assertEquals(200, served.status(), served.body());
    assertEquals("alice:modern", text(served.json()));
  }

  @Test
  void anOversizedUriIsRefusedOnTheStatelessWireToo() {
    ModernClient modern = ModernClient.at(f.endpoints.get(0));
    ObjectNode read = modern.request("resources/read", Json.object().put("uri", "test://items/" + "u".repeat(MAX_URI)));
    Map<String, String> headers = new HashMap<>(ModernClient.headersFor(read));
    headers.putAll(bearer("alice"));
    JsonNode error = assertRefused(400, -32602, "\"uri\" longer than " + MAX_URI, modern.post(read, headers));
    assertEquals(read.get("id"), error.get("id"), "the request's id is echoed");
  }

  private static ObjectNode echoParams(String text) {
    ObjectNode params = Json.object().put("name", "echo");
    params.putObject("arguments").put("text", text);
    return params;
  }

  // ------------------------------------------------------------------ initialize

  @Test
  void anOversizedClientInfoIsRefused() {
    ObjectNode params = initializeParams();
    params.putObject("clientInfo").put("name", "x".repeat(MAX_INFO)).put("version", "1");
    initializeRefused(params, "\"clientInfo\" larger than " + MAX_INFO);
  }

  @Test
  void oversizedCapabilitiesAreRefused() {
    ObjectNode params = initializeParams();
    params.putObject("capabilities").putObject("experimental").put("padding", "x".repeat(MAX_INFO));
    initializeRefused(params, "\"capabilities\" larger than " + MAX_INFO);
  }

  private static ObjectNode initializeParams() {
    ObjectNode params = Json.object().put("protocolVersion", "2025-11-25");
    params.putObject("capabilities");
    params.putObject("clientInfo").put("name", "t").put("version", "1");
    return params;
  }

  private void initializeRefused(ObjectNode params, String message) {
    int sessionsBefore = f.transports.get(0).load().sessions();
    Party client = f.party(0, "alice");
    Reply r = client.post(McpTestClient.request(77, "initialize", params));
    JsonNode error = assertRefused(400, -32602, message, r);
    assertEquals(77, error.path("id").asLong(), "the request's id is echoed");
    assertNull(r.header("Mcp-Session-Id"), "no session");
    assertEquals(sessionsBefore, f.transports.get(0).load().sessions(), "no session counted");
    assertEchoes(alice(), "alice");
  }

  // ------------------------------------------------------------------ URIs

  @Test
  void anOversizedUriInResourcesReadIsRefused() {
    Party alice = alice();
    String uri = "test://items/" + "u".repeat(MAX_URI);
    Reply r = alice.post(McpTestClient.request(91, "resources/read", Json.object().put("uri", uri)));
    JsonNode error = assertRefused(400, -32602, "\"uri\" longer than " + MAX_URI, r);
    assertEquals(91, error.path("id").asLong());
    JsonNode read = alice.call("resources/read", Json.object().put("uri", "test://items/short"));
    assertEquals("item short", read.path("result").path("contents").path(0).path("text").asText(), read::toString);
  }

  @Test
  void anOversizedUriInResourcesSubscribeIsRefused() throws Exception {
    Party alice = alice();
    String uri = "test://items/" + "u".repeat(MAX_URI);
    Reply r = alice.post(McpTestClient.request(92, "resources/subscribe", Json.object().put("uri", uri)));
    assertRefused(400, -32602, "\"uri\" longer than " + MAX_URI, r);
    assertEquals(0, notify(uri), "nobody subscribed to the refused URI");
    try (EventStream get = alice.get(null)) {
      assertEquals(200, get.status, get.body);
      f.assertNotified(alice, get);
    }
  }

  // ------------------------------------------------------------------ JSON depth and body size

  @Test
  void jsonNestedTooDeepIsRefused() {
    Party alice = alice();
    Reply r = alice.client.postRaw(echoWithNesting(MAX_DEPTH + 10), alice.headers);
    assertRefused(400, -32600, "nested deeper than " + MAX_DEPTH, r);
    try (EventStream s = alice.stream(Json.parseObject(echoWithNesting(MAX_DEPTH - 5)))) {
      assertEquals(200, s.status, "a shallower message is served: " + s.body);
      assertTrue(text(s.response()).startsWith("alice:nested"));
    }
  }

  private static String echoWithNesting(int depth) {
    return "{\"jsonrpc\":\"2.0\",\"id\":\"" + SecurityFixture.uniqueKey("deep") + "\",\"method\":\"tools/call\","
        + "\"params\":{\"name\":\"echo\",\"arguments\":{\"text\":\"nested\",\"extra\":"
        + "[".repeat(depth) + "]".repeat(depth) + "}}}";
  }

  @Test
  void aBodyOverMaxBodySizeIs413() {
    Party alice = alice();
    Reply r = alice.client.postRaw(echoOfSize(MAX_BODY + 1), alice.headers);
    assertRefused(413, -32600, "Request too large: the limit is " + MAX_BODY + " bytes", r);
    try (EventStream s = alice.stream(Json.parseObject(echoOfSize(MAX_BODY)))) {
      assertEquals(200, s.status, "a body of exactly the limit is served: " + s.body);
      assertTrue(text(s.response()).startsWith("alice:pad"));
    }
  }

  @Test
  void aChunkedBodyOverMaxBodySizeIs413() {
    Party alice = alice();
    byte[] body = echoOfSize(MAX_BODY + 1).getBytes(StandardCharsets.UTF_8);
    HttpRequest request = alice.client.base().header("Accept", "application/json, text/event-stream")
        .header("Content-Type", "application/json").header("Authorization", "Bearer alice")
        .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body))).build();
    assertRefused(413, -32600, "Request too large", alice.client.send(request));
    assertEchoes(alice, "alice");
  }

  @Test
  void aContentLengthAboveAkkaHttpsOwnLimitIs413() {
    Party alice = alice();
    Reply r = alice.client.postRaw(echoOfSize(AKKA_MAX_CONTENT_LENGTH + 1024), alice.headers);
    assertRefused(413, -32600, "Request too large", r);
    assertEchoes(alice, "alice");
  }

  /** A tools/call of echo whose serialized body is exactly {@code size} bytes. */
  private static String echoOfSize(int size) {
    String head = "{\"jsonrpc\":\"2.0\",\"id\":\"" + SecurityFixture.uniqueKey("big")
        + "\",\"method\":\"tools/call\",\"params\":{\"name\":\"echo\",\"arguments\":{\"text\":\"pad";
    String tail = "\"}}}";
    String body = head + "x".repeat(size - head.length() - tail.length()) + tail;
    assertEquals(size, body.getBytes(StandardCharsets.UTF_8).length);
    return body;
  }

  // ------------------------------------------------------------------ subscriptions

  @Test
  void subscriptionsBeyondTheLimitAreRefusedAndTheEarlierOnesStillWork() throws Exception {
    Party alice = alice();
    String prefix = "test://items/" + SecurityFixture.uniqueKey("flood") + "-";
    for (int i = 0; i < MAX_SUBSCRIPTIONS; i++) assertTrue(subscribe(alice, prefix + i).has("result"));
    JsonNode refused = subscribe(alice, prefix + "over");
    assertEquals(-32000, refused.path("error").path("code").asInt(), refused::toString);
    assertTrue(refused.path("error").path("message").asText().contains("Too many resource subscriptions"), refused::toString);
    assertEquals(0, notify(prefix + "over"), "the refused subscription is not registered");
    assertTrue(subscribe(alice, prefix + 0).has("result"), "subscribing again to a subscribed URI is no new subscription");
    try (EventStream get = alice.get(null)) {
      assertEquals(200, get.status, get.body);
      assertEquals(1, notify(prefix + 0));
      get.nextMatching(m -> "notifications/resources/updated".equals(m.path("method").asText())
          && (prefix + 0).equals(m.path("params").path("uri").asText()));
    }
    // Unsubscribing frees a place.
    assertTrue(alice.call("resources/unsubscribe", Json.object().put("uri", prefix + 1)).has("result"));
    assertTrue(subscribe(alice, prefix + "over").has("result"));
  }

  @Test
  void subscribingToAResourceThatDoesNotExistIsRefused() throws Exception {
    Party alice = alice();
    JsonNode refused = subscribe(alice, "test://nope");
    assertEquals(-32002, refused.path("error").path("code").asInt(), refused::toString);
    assertEquals(0, notify("test://nope"));
    // Refused subscriptions take no place: the session may still make all of its own.
    String prefix = "test://items/" + SecurityFixture.uniqueKey("after-nope") + "-";
    for (int i = 0; i < MAX_SUBSCRIPTIONS; i++) assertTrue(subscribe(alice, prefix + i).has("result"), "subscription " + i);
  }

  @Test
  void subscribingToAResourceOutsideThePrincipalsAllowListIsRefused() throws Exception {
    Party carol = f.party(0, "carol").initialize();
    JsonNode refused = subscribe(carol, "test://secret");
    assertEquals(-32002, refused.path("error").path("code").asInt(), refused::toString);
    JsonNode read = carol.call("resources/read", Json.object().put("uri", "test://secret"));
    assertEquals(-32002, read.path("error").path("code").asInt(), "as resources/read: " + read);
    assertEquals(0, notify("test://secret"), "carol is not subscribed");
    assertTrue(subscribe(carol, "test://public").has("result"), "what carol may read she may subscribe to");
    assertTrue(carol.call("resources/unsubscribe", Json.object().put("uri", "test://public")).has("result"));
  }

  private static JsonNode subscribe(Party party, String uri) {
    return party.call("resources/subscribe", Json.object().put("uri", uri));
  }

  private static int notify(String uri) throws Exception {
    return f.transports.get(0).notifyResourceUpdated(uri).toCompletableFuture().get(20, TimeUnit.SECONDS);
  }

  // ------------------------------------------------------------------ Origin

  @Test
  void anOriginOfAnotherPortIsRefused() {
    int port = f.endpoints.get(0).getPort();
    originRefused("http://127.0.0.1:" + (port == 65535 ? port - 1 : port + 1));
  }

  @Test
  void anOriginOfAnotherSchemeIsRefused() {
    originRefused("https://127.0.0.1:" + f.endpoints.get(0).getPort());
  }

  private void originRefused(String origin) {
    int sessionsBefore = f.transports.get(0).load().sessions();
    Party client = f.party(0, "alice");
    Reply r = client.post(McpTestClient.request(1, "initialize", initializeParams()));
    assertEquals(200, r.status(), "the control without Origin: " + r.body());
    int afterControl = f.transports.get(0).load().sessions();
    Reply refused = client.client.post(McpTestClient.request(2, "initialize", initializeParams()),
        SecurityFixture.with(client.headers, "Origin", origin));
    assertRefused(403, -32000, "Origin not allowed", refused);
    assertNull(refused.header("Mcp-Session-Id"));
    assertEquals(afterControl, f.transports.get(0).load().sessions(), "no session opened for " + origin);
    assertTrue(afterControl > sessionsBefore);
    // An existing session is refused from that Origin too, and still served without it.
    Party alice = alice();
    Reply call = alice.client.post(McpTestClient.toolCall(alice.nextId(), "echo", Json.object().put("text", "x")),
        SecurityFixture.with(alice.headers, "Origin", origin));
    assertRefused(403, -32000, "Origin not allowed", call);
    assertEchoes(alice, "alice");
  }

  @Test
  void theServersOwnOriginIsAccepted() {
    Party alice = f.party(0, "alice");
    String origin = "http://127.0.0.1:" + f.endpoints.get(0).getPort();
    Reply r = alice.client.post(McpTestClient.request(1, "initialize", initializeParams()),
        SecurityFixture.with(alice.headers, "Origin", origin));
    assertEquals(200, r.status(), r.body());
  }
}
