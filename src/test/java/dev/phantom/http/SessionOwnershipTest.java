package dev.phantom.http;

import static dev.phantom.http.SecurityFixture.ANONYMOUS;
import static dev.phantom.http.SecurityFixture.FORBIDDEN;
import static dev.phantom.http.SecurityFixture.assertEchoes;
import static dev.phantom.http.SecurityFixture.assertRefused;
import static dev.phantom.http.SecurityFixture.bearer;
import static dev.phantom.http.SecurityFixture.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.phantom.http.SecurityFixture.Party;
import dev.phantom.mcp.Json;
import dev.phantom.testkit.McpTestClient;
import dev.phantom.testkit.McpTestClient.Event;
import dev.phantom.testkit.McpTestClient.EventStream;
import dev.phantom.testkit.McpTestClient.Reply;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every message of a 2025-11-25 session must come from the principal that initialized it: a second
 * client that knows only the session id (another principal, or anonymous) is refused 403 for each kind
 * of message — on the session's home node and on the other node — and changes nothing: the owner's
 * session, requests, streams and pending elicitations go on, and so does a bystander session.
 */
class SessionOwnershipTest {
  private static final int HOME = 0;
  private static final int OTHER = 1;
  private static final int SERVER_ERROR = -32000;
  private static SecurityFixture f;

  @BeforeAll
  static void start() {
    f = SecurityFixture.start(2, "");
  }

  @AfterAll
  static void stop() {
    if (f != null) f.close();
  }

  @AfterEach
  void bystanderIsUnaffected() {
    SecurityFixture.releaseAll();
    f.assertBystanderWorks();
  }

  private static Party alice() {
    return f.party(HOME, "alice").initialize();
  }

  private static Party mallory(int node, Party victim) {
    return f.thief(node, bearer("mallory"), victim);
  }

  // ------------------------------------------------------------------ tools/call

  @Test
  void anotherPrincipalsToolCallIsForbiddenOnTheHomeNode() {
    thiefToolCall(HOME);
  }

  @Test
  void anotherPrincipalsToolCallIsForbiddenOnTheOtherNode() {
    thiefToolCall(OTHER);
  }

  private void thiefToolCall(int node) {
    Party alice = alice();
    long id = 4242;
    Reply r = mallory(node, alice).post(McpTestClient.toolCall(id, "echo", Json.object().put("text", "stolen")));
    JsonNode error = assertRefused(403, SERVER_ERROR, FORBIDDEN, r);
    assertEquals(id, error.path("id").asLong(), "the refusal echoes the request's id");
    // The refused request registered nothing: its id is still free in the session, and the session works.
    try (EventStream s = alice.stream(McpTestClient.toolCall(id, "echo", Json.object().put("text", "mine")))) {
      assertEquals(200, s.status, s.body);
      assertEquals("alice:mine", text(s.response()));
    }
  }

  // ------------------------------------------------------------------ notifications/cancelled

  @Test
  void anotherPrincipalsCancelIsForbiddenOnTheHomeNode() {
    thiefCancel(HOME);
  }

  @Test
  void anotherPrincipalsCancelIsForbiddenOnTheOtherNode() {
    thiefCancel(OTHER);
  }

  private void thiefCancel(int node) {
    Party alice = alice();
    String key = SecurityFixture.uniqueKey("cancel");
    long id = alice.nextId();
    try (EventStream running = SecurityFixture.startSlow(alice, id, key)) {
      ObjectNode params = Json.object().put("reason", "hijacked");
      params.set("requestId", LongNode.valueOf(id));
      Reply r = mallory(node, alice).post(McpTestClient.notification("notifications/cancelled", params));
      assertRefused(403, SERVER_ERROR, FORBIDDEN, r);
      SecurityFixture.release(key);
      assertEquals("released " + key, text(running.response()), "the owner's request completes normally");
    }
    assertEchoes(alice, "alice");
  }

  // ------------------------------------------------------------------ GET (open the session's stream)

  @Test
  void anotherPrincipalsGetIsForbiddenOnTheHomeNode() {
    thiefGet(HOME);
  }

  @Test
  void anotherPrincipalsGetIsForbiddenOnTheOtherNode() {
    thiefGet(OTHER);
  }

  private void thiefGet(int node) {
    Party alice = alice();
    // No GET stream is connected: an accepted open would give the thief the session's notifications.
    assertRefused(403, SERVER_ERROR, FORBIDDEN, mallory(node, alice).get(null));
    try (EventStream get = alice.get(null)) {
      assertEquals(200, get.status, "the refused open took no slot: " + get.body);
      // ...and with the owner's stream connected, still 403 (not 409).
      assertRefused(403, SERVER_ERROR, FORBIDDEN, mallory(node, alice).get(null));
      f.assertNotified(alice, get);
    }
  }

  // ------------------------------------------------------------------ GET with Last-Event-ID (resume)

  @Test
  void anotherPrincipalsResumeIsForbiddenOnTheHomeNode() {
    thiefResume(HOME);
  }

  @Test
  void anotherPrincipalsResumeIsForbiddenOnTheOtherNode() {
    thiefResume(OTHER);
  }

  private void thiefResume(int node) {
    Party alice = alice();
    try (EventStream get = alice.get(null)) {
      assertEquals(200, get.status, get.body);
      Event priming = get.next();
      assertNotNull(priming.id(), "the priming event carries an event id");
      assertRefused(403, SERVER_ERROR, FORBIDDEN, mallory(node, alice).get(priming.id()));
      // A resumption takes the stream over: refused, the owner's connection still receives.
      f.assertNotified(alice, get);
    }
    assertEchoes(alice, "alice");
  }

  // ------------------------------------------------------------------ an answer to a server request

  @Test
  void anotherPrincipalsAnswerIsForbiddenOnTheHomeNode() {
    thiefAnswer(HOME);
  }

  @Test
  void anotherPrincipalsAnswerIsForbiddenOnTheOtherNode() {
    thiefAnswer(OTHER);
  }

  private void thiefAnswer(int node) {
    Party alice = alice();
    try (EventStream s = alice.stream(McpTestClient.toolCall(alice.nextId(), "ask", null))) {
      assertEquals(200, s.status, s.body);
      JsonNode ask = s.nextMatching(m -> "elicitation/create".equals(m.path("method").asText()));
      Reply stolen = mallory(node, alice).post(answer(ask.get("id"), "Mallory"));
      assertRefused(403, SERVER_ERROR, FORBIDDEN, stolen);
      assertEquals(202, alice.post(answer(ask.get("id"), "Ada")).status(), "the owner's answer is still accepted");
      assertEquals("action=accept name=Ada", text(s.response()));
    }
  }

  private static ObjectNode answer(JsonNode id, String name) {
    ObjectNode reply = Json.object().put("jsonrpc", "2.0");
    reply.set("id", id);
    reply.putObject("result").put("action", "accept").putObject("content").put("name", name);
    return reply;
  }

  // ------------------------------------------------------------------ DELETE

  @Test
  void anotherPrincipalsDeleteIsForbiddenOnTheHomeNode() {
    thiefDelete(HOME);
  }

  @Test
  void anotherPrincipalsDeleteIsForbiddenOnTheOtherNode() {
    thiefDelete(OTHER);
  }

  private void thiefDelete(int node) {
    Party alice = alice();
    assertRefused(403, SERVER_ERROR, FORBIDDEN, mallory(node, alice).delete());
    assertEchoes(alice, "alice");
    assertEquals(200, alice.delete().status(), "the owner may end it");
    Reply gone = alice.post(McpTestClient.toolCall(alice.nextId(), "echo", Json.object().put("text", "x")));
    assertRefused(404, -32001, "Session not found", gone);
  }

  // ------------------------------------------------------------------ anonymous and unauthenticated callers

  @Test
  void anAnonymousCallerIsForbiddenOnANamedPrincipalsSession() {
    Party alice = alice();
    for (int node : new int[] {HOME, OTHER}) {
      Party anonymous = f.thief(node, ANONYMOUS, alice);
      assertRefused(403, SERVER_ERROR, FORBIDDEN,
          anonymous.post(McpTestClient.toolCall(anonymous.nextId(), "echo", Json.object().put("text", "x"))));
      assertRefused(403, SERVER_ERROR, FORBIDDEN, anonymous.get(null));
      assertRefused(403, SERVER_ERROR, FORBIDDEN, anonymous.delete());
    }
    assertEchoes(alice, "alice");
  }

  @Test
  void aNamedCallerIsForbiddenOnAnAnonymousSession() {
    Party owner = f.party(HOME, ANONYMOUS).initialize();
    for (int node : new int[] {HOME, OTHER}) {
      Party named = mallory(node, owner);
      assertRefused(403, SERVER_ERROR, FORBIDDEN,
          named.post(McpTestClient.toolCall(named.nextId(), "echo", Json.object().put("text", "x"))));
      assertRefused(403, SERVER_ERROR, FORBIDDEN, named.delete());
    }
    assertEchoes(owner, "anonymous");
  }

  @Test
  void aLaterRequestWithoutCredentialsIsUnauthorized() {
    Party alice = alice();
    for (int node : new int[] {HOME, OTHER}) {
      Party noCredentials = f.thief(node, Map.of(), alice);
      Reply call = noCredentials.post(McpTestClient.toolCall(7, "echo", Json.object().put("text", "x")));
      JsonNode error = assertRefused(401, SERVER_ERROR, "Unauthorized", call);
      assertEquals("Bearer realm=\"test\"", call.header("WWW-Authenticate"));
      assertEquals(7, error.path("id").asLong(), "the refusal echoes the request's id");
      assertRefused(401, SERVER_ERROR, "Unauthorized", noCredentials.get(null));
      Reply delete = noCredentials.delete();
      assertRefused(401, SERVER_ERROR, "Unauthorized", delete);
      assertEquals("Bearer realm=\"test\"", delete.header("WWW-Authenticate"));
    }
    assertEchoes(alice, "alice");
  }

  @Test
  void theSamePrincipalOnASecondConnectionIsServedOnEitherNode() {
    // The control for the refusals above: it is the principal, not the connection, that owns the session.
    Party alice = alice();
    for (int node : new int[] {HOME, OTHER}) {
      Party again = f.thief(node, bearer("alice"), alice);
      assertEchoes(again, "alice");
    }
    assertEchoes(alice, "alice");
  }
}
