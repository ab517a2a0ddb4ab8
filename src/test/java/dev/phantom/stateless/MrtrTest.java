package dev.phantom.stateless;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.ConfigFactory;
import dev.phantom.mcp.ElicitResult;
import dev.phantom.mcp.InputRequest;
import dev.phantom.mcp.InputRequired;
import dev.phantom.mcp.Json;
import dev.phantom.mcp.Tool;
import dev.phantom.mcp.ToolResult;
import dev.phantom.testkit.McpTestClient;
import dev.phantom.testkit.McpTestClient.EventStream;
import dev.phantom.testkit.McpTestNode;
import dev.phantom.testkit.ModernClient;
import dev.phantom.testkit.TestCluster;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Multi-round-trip requests (2026-07-28 {@code input_required}) over HTTP on three nodes A, B, C that
 * share the requestState key: each round may land on any node; a state that was changed, replayed for
 * another request, or sealed under another key is refused with -32602 before the handler runs; a
 * missing answer is asked again; and the very same handlers, on a 2025-11-25 session, send real
 * requests to the client on the POST's stream.
 */
class MrtrTest {
  /** A test-only tool: asks to confirm its {@code item}, then counts the completion under the item. */
  private static final String COUNTED = "test_counted_confirmation";
  private static final Map<String, Integer> COMPLETIONS = new ConcurrentHashMap<>();
  /** A test-only tool: asks "first", then "second", and reports both answers as it got them. */
  private static final String TWO_ANSWERS = "test_two_answers";
  private static final String ALICE = "{\"action\":\"accept\",\"content\":{\"name\":\"Alice\"}}";
  private static final String CONFIRMED = "{\"action\":\"accept\",\"content\":{\"ok\":true}}";

  private static TestCluster cluster;
  private static ModernClient onA;
  private static ModernClient onB;
  private static ModernClient onC;
  private static URI a;
  private static URI b;
  private static URI c;

  @BeforeAll
  static void start() {
    cluster = TestCluster.start(3);
    List<McpTestNode> nodes = McpTestNode.serveEach(cluster);
    nodes.forEach(n -> {
      n.server.addToolOnThisNode(countedConfirmation(), false);
      n.server.addToolOnThisNode(twoAnswers(), false);
    });
    a = nodes.get(0).endpoint;
    b = nodes.get(1).endpoint;
    c = nodes.get(2).endpoint;
    onA = ModernClient.at(a);
    onB = onA.via(b);
    onC = onA.via(c);
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  private static Tool countedConfirmation() {
    return Tool.builder(COUNTED).description("Asks to confirm its item, then counts the completion (test only)")
        .inputSchema("{\"type\":\"object\",\"properties\":{\"item\":{\"type\":\"string\"}},\"required\":[\"item\"]}")
        .handler((args, ctx) -> {
          Optional<ElicitResult> confirm = ctx.elicitation("confirm");
          String item = args.path("item").asText();
          if (confirm.isEmpty()) {
            return InputRequired.ask("confirm", InputRequest.elicitForm("Confirm " + item + "?", Json.parseObject(
                "{\"type\":\"object\",\"properties\":{\"ok\":{\"type\":\"boolean\"}},\"required\":[\"ok\"]}"))).toStage();
          }
          COMPLETIONS.merge(item, 1, Integer::sum);
          return CompletableFuture.completedFuture(ToolResult.text("confirmed " + item));
        }).build();
  }

  private static Tool twoAnswers() {
    ObjectNode schema = Json.parseObject("{\"type\":\"object\",\"properties\":{\"v\":{\"type\":\"string\"}},\"required\":[\"v\"]}");
    return Tool.builder(TWO_ANSWERS).description("Asks two questions in two rounds (test only)")
        .handler((args, ctx) -> {
          Optional<ElicitResult> first = ctx.elicitation("first");
          if (first.isEmpty()) return InputRequired.ask("first", InputRequest.elicitForm("First?", schema)).toStage();
          Optional<ElicitResult> second = ctx.elicitation("second");
          if (second.isEmpty()) return InputRequired.ask("second", InputRequest.elicitForm("Second?", schema)).toStage();
          return CompletableFuture.completedFuture(ToolResult.text("first=" + first.get().content().path("v").asText()
              + ", second=" + second.get().content().path("v").asText()));
        }).build();
  }

  // ------------------------------------------------------------------ rounds across nodes

  @Test
  void aRetryOnAnotherNodeCompletes() {
    JsonNode first = onA.callTool("test_input_required_result_elicitation", null);
    JsonNode round1 = inputRequired(first);
    JsonNode ask = round1.path("inputRequests").path("user_name");
    assertEquals("elicitation/create", ask.path("method").asText(), round1::toString);
    assertEquals("What is your name?", ask.path("params").path("message").asText(), round1::toString);
    assertEquals("name", ask.path("params").path("requestedSchema").path("required").path(0).asText(), round1::toString);

    JsonNode done = onB.send(retry(onB, "test_input_required_result_elicitation", null, state(round1),
        answers("user_name", ALICE)));
    assertEquals("Hello, Alice!", text(done));
    assertEquals("complete", done.path("result").path("resultType").asText());
  }

  @Test
  void eachRoundMayLandOnADifferentNode() {
    JsonNode round1 = inputRequired(onA.callTool("test_input_required_result_multi_round", null));
    assertTrue(round1.path("inputRequests").has("step1"), round1::toString);

    JsonNode round2 = inputRequired(onB.send(retry(onB, "test_input_required_result_multi_round", null, state(round1),
        answers("step1", "{\"action\":\"accept\",\"content\":{\"name\":\"Bob\"}}"))));
    assertTrue(round2.path("inputRequests").has("step2"), round2::toString);
    assertFalse(round2.path("inputRequests").has("step1"), round2::toString);
    assertNotEquals(state(round1), state(round2));

    JsonNode done = onC.send(retry(onC, "test_input_required_result_multi_round", null, state(round2),
        answers("step2", "{\"action\":\"accept\",\"content\":{\"color\":\"blue\"}}")));
    assertEquals("Multi-round complete for Bob who likes blue", text(done));
  }

  // ------------------------------------------------------------------ the seal

  @Test
  void aTamperedStateIsRefusedAndTheHandlerDoesNotComplete() {
    String item = "tamper-" + System.nanoTime();
    ObjectNode args = Json.object().put("item", item);
    String sealed = state(inputRequired(onA.callTool(COUNTED, args)));
    int middle = sealed.length() / 2;
    String oneCharChanged = sealed.substring(0, middle) + (sealed.charAt(middle) == 'A' ? 'B' : 'A') + sealed.substring(middle + 1);
    for (String tampered : List.of(oneCharChanged, sealed + "-TAMPERED")) {
      ObjectNode request = retry(onB, COUNTED, args, tampered, answers("confirm", CONFIRMED));
      JsonNode refused = onB.send(request);
      assertEquals(-32602, refused.path("error").path("code").asInt(), refused::toString);
      assertEquals(request.get("id"), refused.get("id"));
      assertNull(refused.get("result"), refused::toString);
      assertNull(COMPLETIONS.get(item), "the handler completed with a tampered state");
    }
    // the conformance fixture too
    String fixtureState = state(inputRequired(onA.callTool("test_input_required_result_tampered_state", null)));
    JsonNode refused = onC.send(retry(onC, "test_input_required_result_tampered_state", null, fixtureState + "-TAMPERED",
        answers("confirm", CONFIRMED)));
    assertEquals(-32602, refused.path("error").path("code").asInt(), refused::toString);

    // the state as sealed is accepted: the handler completes, once
    assertEquals("confirmed " + item, text(onC.send(retry(onC, COUNTED, args, sealed, answers("confirm", CONFIRMED)))));
    assertEquals(1, COMPLETIONS.get(item));
    assertTrue(text(onB.send(retry(onB, "test_input_required_result_tampered_state", null, fixtureState,
        answers("confirm", CONFIRMED)))).startsWith("integrity-ok"));
  }

  @Test
  void aStateReplayedForOtherArgumentsOrAnotherToolIsRefused() {
    String item = "replay-" + System.nanoTime();
    String other = item + "-other";
    String sealed = state(inputRequired(onA.callTool(COUNTED, Json.object().put("item", item))));

    JsonNode otherArgs = onB.send(retry(onB, COUNTED, Json.object().put("item", other), sealed, answers("confirm", CONFIRMED)));
    assertEquals(-32602, otherArgs.path("error").path("code").asInt(), otherArgs::toString);
    assertNull(COMPLETIONS.get(other), "ran with arguments the state was not sealed for");

    JsonNode otherTool = onC.send(retry(onC, "test_input_required_result_elicitation", null, sealed, answers("user_name", ALICE)));
    assertEquals(-32602, otherTool.path("error").path("code").asInt(), otherTool::toString);

    // only the tool's name differs (neither takes arguments)
    String greeting = state(inputRequired(onA.callTool("test_input_required_result_elicitation", null)));
    JsonNode sameArgsOtherTool = onB.send(retry(onB, "test_input_required_result_tampered_state", null, greeting,
        answers("confirm", CONFIRMED)));
    assertEquals(-32602, sameArgsOtherTool.path("error").path("code").asInt(), sameArgsOtherTool::toString);

    JsonNode otherMethod = onB.send(onB.request("prompts/get", withState(
        Json.object().put("name", "test_input_required_result_prompt"), sealed,
        answers("user_context", "{\"action\":\"accept\",\"content\":{\"context\":\"x\"}}"))));
    assertEquals(-32602, otherMethod.path("error").path("code").asInt(), otherMethod::toString);
    assertNull(COMPLETIONS.get(item));
  }

  @Test
  void aNodeWithAnotherKeyRefusesTheState() {
    String otherKey = Base64.getEncoder().encodeToString("another-test-key-for-one-node-!!".getBytes(StandardCharsets.US_ASCII));
    String sealed = state(inputRequired(onA.callTool("test_input_required_result_elicitation", null)));
    try (TestCluster stranger = TestCluster.start(1,
        ConfigFactory.parseString("phantom.stateless.state-keys = \"" + otherKey + "\""))) {
      ModernClient elsewhere = onA.via(McpTestNode.serve(stranger.node(0)).awaitReady().endpoint);
      JsonNode refused = elsewhere.send(retry(elsewhere, "test_input_required_result_elicitation", null, sealed,
          answers("user_name", ALICE)));
      assertEquals(-32602, refused.path("error").path("code").asInt(), refused::toString);
      assertNull(refused.get("result"));
    }
    // the same retry on a node that holds the key completes
    assertEquals("Hello, Alice!", text(onB.send(retry(onB, "test_input_required_result_elicitation", null, sealed,
        answers("user_name", ALICE)))));
  }

  // ------------------------------------------------------------------ answers

  @Test
  void aMissingAnswerIsAskedAgain() {
    String sealed = state(inputRequired(onA.callTool("test_input_required_result_elicitation", null)));
    ObjectNode noAnswers = retry(onB, "test_input_required_result_elicitation", null, sealed, null);
    JsonNode again = inputRequired(onB.send(noAnswers));
    assertEquals("elicitation/create", again.path("inputRequests").path("user_name").path("method").asText(), again::toString);

    JsonNode emptyAnswers = inputRequired(onC.send(retry(onC, "test_input_required_result_elicitation", null, state(again),
        Json.object())));
    assertTrue(emptyAnswers.path("inputRequests").has("user_name"), emptyAnswers::toString);

    assertEquals("Hello, Alice!", text(onA.send(retry(onA, "test_input_required_result_elicitation", null, state(emptyAnswers),
        answers("user_name", ALICE)))));
  }

  @Test
  void answersToKeysNotAskedAreIgnored() {
    String sealed = state(inputRequired(onA.callTool("test_input_required_result_elicitation", null)));
    ObjectNode extra = answers("user_name", ALICE);
    extra.set("not_asked", Json.parseObject("{\"action\":\"accept\",\"content\":{\"name\":\"Mallory\"}}"));
    extra.set("something_else", Json.parseObject("{\"x\":1}"));
    assertEquals("Hello, Alice!", text(onB.send(retry(onB, "test_input_required_result_elicitation", null, sealed, extra))));

    // an answer under a key that was not asked does not stand in for the one that was
    JsonNode stillAsking = inputRequired(onC.send(retry(onC, "test_input_required_result_elicitation", null, sealed,
        answers("not_asked", ALICE))));
    assertTrue(stillAsking.path("inputRequests").has("user_name"), stillAsking::toString);
  }

  @Test
  void anAnswerSealedInAnEarlierRoundCannotBeReplacedOrGivenEarly() {
    // round 1 asks "first"; an answer to "second", not asked yet, is ignored
    String state1 = state(inputRequired(onA.callTool(TWO_ANSWERS, null)));
    ObjectNode early = answers("first", value("one"));
    early.set("second", Json.parseObject(value("early")));
    JsonNode round2 = inputRequired(onB.send(retry(onB, TWO_ANSWERS, null, state1, early)));
    assertTrue(round2.path("inputRequests").has("second"), () -> "the early answer stood in for the question: " + round2);

    // round 2 asks "second"; a new answer to "first" does not replace the sealed one
    ObjectNode forged = answers("second", value("two"));
    forged.set("first", Json.parseObject(value("forged")));
    assertEquals("first=one, second=two", text(onC.send(retry(onC, TWO_ANSWERS, null, state(round2), forged))));
  }

  @Test
  void onlyTheDeclaredCapabilitiesAreAsked() {
    ModernClient samplingOnly = onA.declaring(Json.parseObject("{\"sampling\":{}}"));
    JsonNode round1 = inputRequired(samplingOnly.callTool("test_input_required_result_capabilities", null));
    List<String> keys = new ArrayList<>();
    round1.path("inputRequests").fieldNames().forEachRemaining(keys::add);
    assertEquals(List.of("sample_input"), keys, round1::toString);
    round1.path("inputRequests").forEach(r ->
        assertEquals("sampling/createMessage", r.path("method").asText(), round1::toString));

    ModernClient samplingOnB = samplingOnly.via(b);
    JsonNode done = samplingOnB.send(retry(samplingOnB, "test_input_required_result_capabilities", null, state(round1),
        answers("sample_input", "{\"role\":\"assistant\",\"content\":{\"type\":\"text\",\"text\":\"hi\"},\"model\":\"m\"}")));
    assertEquals("capabilities-ok: received sample_input", text(done));

    // a handler that needs an undeclared capability is refused before anything is asked
    ObjectNode call = samplingOnly.toolCall("test_input_required_result_elicitation", null);
    McpTestClient.Reply refused = samplingOnly.post(call, ModernClient.headersFor(call));
    assertEquals(400, refused.status(), refused.body());
    JsonNode error = refused.json().path("error");
    assertEquals(-32021, error.path("code").asInt(), refused::body);
    assertTrue(error.path("data").path("requiredCapabilities").has("elicitation"), refused::body);
  }

  // ------------------------------------------------------------------ the same handlers on a 2025-11-25 session

  @Test
  void onASessionTheSameFixtureSendsARealElicitation() {
    McpTestClient session = new McpTestClient(a).initialize(Json.parseObject("{\"elicitation\":{\"form\":{}}}"));
    McpTestClient answersViaB = new McpTestClient(b).adopt(session);
    try (EventStream s = session.stream(McpTestClient.toolCall(session.nextId(), "test_input_required_result_elicitation", null))) {
      assertEquals(200, s.status, s.body);
      JsonNode ask = s.nextMatching(m -> "elicitation/create".equals(m.path("method").asText()));
      assertNotNull(ask.get("id"), ask::toString);
      assertEquals("What is your name?", ask.path("params").path("message").asText(), ask::toString);
      assertEquals(202, answersViaB.post(clientResult(ask, "{\"action\":\"accept\",\"content\":{\"name\":\"Carol\"}}"), Map.of()).status());
      assertEquals("Hello, Carol!", text(s.response()));
    }

    // two rounds: each question a request on the stream, answered through another node
    McpTestClient answersViaC = new McpTestClient(c).adopt(session);
    try (EventStream s = session.stream(McpTestClient.toolCall(session.nextId(), "test_input_required_result_multi_round", null))) {
      JsonNode step1 = s.nextMatching(m -> "elicitation/create".equals(m.path("method").asText()));
      assertEquals(202, answersViaB.post(clientResult(step1, "{\"action\":\"accept\",\"content\":{\"name\":\"Dave\"}}"), Map.of()).status());
      JsonNode step2 = s.nextMatching(m -> "elicitation/create".equals(m.path("method").asText()));
      assertNotEquals(step1.get("id"), step2.get("id"));
      assertEquals(202, answersViaC.post(clientResult(step2, "{\"action\":\"accept\",\"content\":{\"color\":\"green\"}}"), Map.of()).status());
      assertEquals("Multi-round complete for Dave who likes green", text(s.response()));
    }
    assertEquals(200, session.delete().status());
  }

  // ------------------------------------------------------------------ helpers

  /** The {@code input_required} result of {@code response}, with its requestState. */
  private static JsonNode inputRequired(JsonNode response) {
    JsonNode result = response.path("result");
    assertEquals("input_required", result.path("resultType").asText(), response::toString);
    assertTrue(result.path("requestState").isTextual() && !result.path("requestState").asText().isEmpty(), response::toString);
    return result;
  }

  private static String state(JsonNode inputRequired) {
    return inputRequired.path("requestState").asText();
  }

  /** The retry of a tool call: same name and arguments, with the state and the answers (either may be null). */
  private static ObjectNode retry(ModernClient client, String tool, ObjectNode arguments, String requestState, ObjectNode answers) {
    ObjectNode params = Json.object().put("name", tool);
    params.set("arguments", arguments == null ? Json.object() : arguments);
    return client.request("tools/call", withState(params, requestState, answers));
  }

  private static ObjectNode withState(ObjectNode params, String requestState, ObjectNode answers) {
    if (requestState != null) params.put("requestState", requestState);
    if (answers != null) params.set("inputResponses", answers);
    return params;
  }

  private static ObjectNode answers(String key, String resultJson) {
    ObjectNode out = Json.object();
    out.set(key, Json.parseObject(resultJson));
    return out;
  }

  private static String value(String v) {
    return "{\"action\":\"accept\",\"content\":{\"v\":\"" + v + "\"}}";
  }

  /** The client's JSON-RPC response to a server request. */
  private static ObjectNode clientResult(JsonNode serverRequest, String resultJson) {
    ObjectNode reply = Json.object().put("jsonrpc", "2.0");
    reply.set("id", serverRequest.get("id"));
    reply.set("result", Json.parseObject(resultJson));
    return reply;
  }

  private static String text(JsonNode response) {
    assertNotNull(response.get("result"), () -> "not a result: " + response);
    return response.path("result").path("content").path(0).path("text").asText();
  }
}
