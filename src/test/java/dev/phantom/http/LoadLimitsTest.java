package dev.phantom.http;

import static dev.phantom.http.SecurityFixture.ANONYMOUS;
import static dev.phantom.http.SecurityFixture.assertEchoes;
import static dev.phantom.http.SecurityFixture.assertRefused;
import static dev.phantom.http.SecurityFixture.bearer;
import static dev.phantom.http.SecurityFixture.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.phantom.http.SecurityFixture.Party;
import dev.phantom.mcp.Json;
import dev.phantom.testkit.McpTestClient;
import dev.phantom.testkit.McpTestClient.EventStream;
import dev.phantom.testkit.McpTestClient.Reply;
import dev.phantom.testkit.ModernClient;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What a client may hold on a node: sessions per principal (429) and per node (503 + Retry-After),
 * requests in flight per session (429) and per node (503 + Retry-After, both eras), and server requests
 * awaiting answers per session. Requests are held in flight deterministically by the {@code slow} tool.
 * A refusal changes nothing: the counts are released, other principals and sessions are served.
 */
class LoadLimitsTest {
  private static final int PER_PRINCIPAL = 3;
  private static final int PER_NODE_SESSIONS = 20;
  private static final int PER_SESSION = 2;
  private static final int PER_NODE_REQUESTS = 4;
  private static SecurityFixture f;

  @BeforeAll
  static void start() {
    f = SecurityFixture.start(1, String.join("\n",
        "phantom.mcp.limits {",
        "  max-sessions-per-principal = " + PER_PRINCIPAL,
        "  max-sessions-per-node = " + PER_NODE_SESSIONS,
        "  max-in-flight-per-session = " + PER_SESSION,
        "  max-in-flight-per-node = " + PER_NODE_REQUESTS,
        "  max-pending-server-requests = 1",
        "  retry-after = 2s",
        "}"));
  }

  @AfterAll
  static void stop() {
    if (f != null) f.close();
  }

  @AfterEach
  void bystanderIsUnaffected() {
    SecurityFixture.releaseAll();
    f.awaitNoRequestsInFlight();
    f.assertBystanderWorks();
  }

  private static dev.phantom.session.NodeLoad load() {
    return f.transports.get(0).load();
  }

  // ------------------------------------------------------------------ sessions

  @Test
  void sessionsOfOnePrincipalBeyondTheLimitAre429() {
    List<Party> flood = new ArrayList<>();
    for (int i = 0; i < PER_PRINCIPAL; i++) flood.add(f.party(0, "flood").initialize());
    int sessions = load().sessions();
    Reply refused = f.party(0, "flood").post(McpTestClient.request(5, "initialize", initializeParams()));
    JsonNode error = assertRefused(429, -32000, "Too many sessions for this principal", refused);
    assertEquals(5, error.path("id").asLong());
    assertNull(refused.header("Mcp-Session-Id"));
    assertEquals(sessions, load().sessions(), "the refused session is not counted");
    Party other = f.party(0, "other").initialize();
    assertEchoes(other, "other");
    for (Party p : flood) assertEchoes(p, "flood");
    // Ending a session gives its place back.
    assertEquals(200, flood.remove(0).delete().status());
    flood.add(f.party(0, "flood").initialize());
    for (Party p : flood) assertEquals(200, p.delete().status());
    assertEquals(200, other.delete().status());
  }

  @Test
  void sessionsBeyondTheNodesLimitAre503WithRetryAfter() {
    List<Party> opened = new ArrayList<>();
    Reply refused = null;
    try {
      for (int i = 0; i <= PER_NODE_SESSIONS && refused == null; i++) {
        Party p = f.party(0, ANONYMOUS);
        Reply r = p.post(McpTestClient.request(9, "initialize", initializeParams()));
        if (r.status() == 200) {
          p.client.withSession(r.header("Mcp-Session-Id"));
          opened.add(p);
        } else {
          refused = r;
        }
      }
      assertTrue(refused != null, "a node admits at most " + PER_NODE_SESSIONS + " sessions");
      assertEquals(PER_NODE_SESSIONS, load().sessions());
      assertRefused(503, -32000, "too many sessions", refused);
      assertEquals("2", refused.header("Retry-After"));
      // A named principal is refused as well; existing sessions are served.
      assertRefused(503, -32000, "too many sessions",
          f.party(0, "latecomer").post(McpTestClient.request(9, "initialize", initializeParams())));
      assertEchoes(opened.get(0), "anonymous");
    } finally {
      for (Party p : opened) p.delete();
    }
    assertEchoes(f.party(0, "latecomer").initialize(), "latecomer");
  }

  private static ObjectNode initializeParams() {
    ObjectNode params = Json.object().put("protocolVersion", "2025-11-25");
    params.putObject("capabilities");
    params.putObject("clientInfo").put("name", "t").put("version", "1");
    return params;
  }

  // ------------------------------------------------------------------ requests in flight

  @Test
  void requestsOfOneSessionBeyondTheLimitAre429() {
    Party alice = f.party(0, "alice").initialize();
    Party aliceElsewhere = f.party(0, "alice").initialize();
    List<String> keys = new ArrayList<>();
    List<EventStream> running = new ArrayList<>();
    try {
      for (int i = 0; i < PER_SESSION; i++) {
        String key = SecurityFixture.uniqueKey("session-limit");
        keys.add(key);
        running.add(SecurityFixture.startSlow(alice, alice.nextId(), key));
      }
      long id = alice.nextId();
      Reply refused = alice.post(McpTestClient.toolCall(id, "echo", Json.object().put("text", "one too many")));
      JsonNode error = assertRefused(429, -32000, "Too many requests in flight in this session", refused);
      assertEquals(id, error.path("id").asLong());
      assertNull(refused.header("Retry-After"));
      // Per session, not per principal: the same principal's other session is served.
      assertEchoes(aliceElsewhere, "alice");
      for (String key : keys) SecurityFixture.release(key);
      for (int i = 0; i < running.size(); i++) assertEquals("released " + keys.get(i), text(running.get(i).response()));
    } finally {
      running.forEach(EventStream::close);
    }
    f.awaitNoRequestsInFlight();
    assertEchoes(alice, "alice");
  }

  @Test
  void requestsBeyondTheNodesLimitAre503WithRetryAfterInBothEras() {
    f.awaitNoRequestsInFlight();
    List<String> keys = new ArrayList<>();
    List<EventStream> running = new ArrayList<>();
    try {
      for (int s = 0; s < PER_NODE_REQUESTS / PER_SESSION; s++) {
        Party holder = f.party(0, "holder" + s).initialize();
        for (int i = 0; i < PER_SESSION; i++) {
          String key = SecurityFixture.uniqueKey("node-limit");
          keys.add(key);
          running.add(SecurityFixture.startSlow(holder, holder.nextId(), key));
        }
      }
      Party fresh = f.party(0, "fresh").initialize();
      Reply refused = fresh.post(McpTestClient.toolCall(33, "echo", Json.object().put("text", "x")));
      JsonNode error = assertRefused(503, -32000, "too many requests in flight", refused);
      assertEquals(33, error.path("id").asLong());
      assertEquals("2", refused.header("Retry-After"));

      ModernClient modern = ModernClient.at(f.endpoints.get(0));
      ObjectNode call = modern.request(ModernClient.id("m-33"), "tools/call",
          (ObjectNode) Json.object().put("name", "echo").set("arguments", Json.object().put("text", "x")));
      Map<String, String> headers = new HashMap<>(ModernClient.headersFor(call));
      headers.putAll(bearer("fresh"));
      Reply modernRefused = modern.post(call, headers);
      assertRefused(503, -32000, "too many requests in flight", modernRefused);
      assertEquals("2", modernRefused.header("Retry-After"));

      for (String key : keys) SecurityFixture.release(key);
      for (int i = 0; i < running.size(); i++) assertEquals("released " + keys.get(i), text(running.get(i).response()));
      f.awaitNoRequestsInFlight();
      assertEchoes(fresh, "fresh");
    } finally {
      running.forEach(EventStream::close);
    }
  }

  // ------------------------------------------------------------------ server requests awaiting answers

  @Test
  void serverRequestsBeyondTheLimitAreRefusedToTheTool() {
    Party alice = f.party(0, "alice").initialize();
    try (EventStream first = alice.stream(McpTestClient.toolCall(alice.nextId(), "ask", null))) {
      assertEquals(200, first.status, first.body);
      JsonNode ask = first.nextMatching(m -> "elicitation/create".equals(m.path("method").asText()));
      // The session already awaits one answer (the limit): the second elicitation is not sent.
      String second = text(alice.call("tools/call", Json.object().put("name", "ask")));
      assertTrue(second.startsWith("action=error"), second);
      assertTrue(second.contains("Too many server requests"), second);
      ObjectNode answer = Json.object().put("jsonrpc", "2.0");
      answer.set("id", ask.get("id"));
      answer.putObject("result").put("action", "accept").putObject("content").put("name", "Ada");
      assertEquals(202, alice.post(answer).status(), "the pending one is still answered");
      assertEquals("action=accept name=Ada", text(first.response()));
    }
    // Answered, its place is free again.
    try (EventStream third = alice.stream(McpTestClient.toolCall(alice.nextId(), "ask", null))) {
      JsonNode ask = third.nextMatching(m -> "elicitation/create".equals(m.path("method").asText()));
      ObjectNode answer = Json.object().put("jsonrpc", "2.0");
      answer.set("id", ask.get("id"));
      answer.putObject("result").put("action", "decline");
      assertEquals(202, alice.post(answer).status());
      assertTrue(text(third.response()).startsWith("action=decline"));
    }
  }
}
