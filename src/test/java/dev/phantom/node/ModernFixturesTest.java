package dev.phantom.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.phantom.mcp.ClientResponse;
import dev.phantom.mcp.ConnectHook;
import dev.phantom.mcp.ElicitResult;
import dev.phantom.mcp.InputRequest;
import dev.phantom.mcp.InputRequired;
import dev.phantom.mcp.InputRounds;
import dev.phantom.mcp.Json;
import dev.phantom.mcp.LogLevel;
import dev.phantom.mcp.McpDispatcher;
import dev.phantom.mcp.McpError;
import dev.phantom.mcp.McpServer;
import dev.phantom.mcp.RequestContext;
import dev.phantom.mcp.UrlElicitation;
import dev.phantom.presence.SessionNotification.ListKind;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The 2026-07-28 fixtures run without a wire: each round calls the dispatcher with the answers and
 * state so far, as the server does, and an {@link InputRequired} ends the round.
 */
class ModernFixturesTest {
  private static final String ALL_CAPS = "{\"sampling\":{},\"elicitation\":{},\"roots\":{\"listChanged\":true}}";
  private final List<ListKind> published = new ArrayList<>();
  private final McpDispatcher dispatcher = new McpDispatcher(server());

  private McpServer server() {
    McpServer.Builder b = McpServer.builder("fixtures-test", "1");
    ModernFixtures.install(b, kind -> {
      published.add(kind);
      return CompletableFuture.completedFuture(1);
    });
    return b.build();
  }

  @Test
  void fixturesAreRegisteredWithTheirSchemas() {
    McpServer s = dispatcher.server();
    for (String name : List.of("test_input_required_result_elicitation", "test_input_required_result_sampling",
        "test_input_required_result_list_roots", "test_input_required_result_request_state",
        "test_input_required_result_multiple_inputs", "test_input_required_result_multi_round",
        "test_input_required_result_tampered_state", "test_input_required_result_capabilities",
        "test_missing_capability", "test_streaming_elicitation", "test_logging_tool",
        "test_trigger_tool_change", "test_trigger_prompt_change", "test_mcp_param_header")) {
      assertTrue(s.tool(name).isPresent(), name);
      assertEquals("object", s.tool(name).get().inputSchema().path("type").asText(), name);
    }
    assertTrue(s.prompt("test_input_required_result_prompt").isPresent());
    JsonNode region = s.tool("test_mcp_param_header").get().inputSchema().path("properties").path("region");
    assertEquals("Region", region.path("x-mcp-header").asText());
    assertEquals("string", region.path("type").asText());
  }

  @Test
  void elicitationAsksThenGreets() throws Exception {
    InputRequired r1 = asks("test_input_required_result_elicitation", new Round());
    InputRequest q = r1.requests().get("user_name");
    assertEquals("elicitation/create", q.method());
    assertEquals("What is your name?", q.params().path("message").asText());
    assertEquals("name", q.params().path("requestedSchema").path("required").path(0).asText());
    Round r2 = new Round().answer("user_name", "{\"action\":\"accept\",\"content\":{\"name\":\"Alice\"}}")
        .answer("unknown_extra_key", "{\"action\":\"accept\",\"content\":{\"foo\":\"bar\"}}");
    assertEquals("Hello, Alice!", text(call("test_input_required_result_elicitation", r2)));
    // A wrong key is asked again; an answer that is no elicitation result is a protocol error.
    asks("test_input_required_result_elicitation", new Round().answer("wrong_key", "{\"action\":\"accept\",\"content\":{}}"));
    assertEquals(McpError.INVALID_PARAMS, refused(call("test_input_required_result_elicitation",
        new Round().answer("user_name", "12345"))).code());
  }

  @Test
  void samplingAndRootsUseTheirKeys() throws Exception {
    InputRequest sampling = asks("test_input_required_result_sampling", new Round()).requests().get("capital_question");
    assertEquals("sampling/createMessage", sampling.method());
    assertEquals(100, sampling.params().path("maxTokens").asInt());
    assertEquals("Sampling result: Paris.", text(call("test_input_required_result_sampling", new Round().answer("capital_question",
        "{\"role\":\"assistant\",\"content\":{\"type\":\"text\",\"text\":\"Paris.\"},\"model\":\"m\",\"stopReason\":\"endTurn\"}"))));
    assertEquals("roots/list", asks("test_input_required_result_list_roots", new Round()).requests().get("client_roots").method());
    assertEquals("Found 1 root(s): file:///test/root", text(call("test_input_required_result_list_roots",
        new Round().answer("client_roots", "{\"roots\":[{\"uri\":\"file:///test/root\",\"name\":\"Test Root\"}]}"))));
  }

  @Test
  void requestStateIsCheckedOnTheRetry() throws Exception {
    InputRequired r1 = asks("test_input_required_result_request_state", new Round());
    assertTrue(r1.requests().containsKey("confirm"));
    assertEquals(ModernFixtures.REQUEST_STATE, r1.state());
    String confirmed = "{\"action\":\"accept\",\"content\":{\"ok\":true}}";
    // Without the state the answer does not complete the request.
    asks("test_input_required_result_request_state", new Round().answer("confirm", confirmed));
    String done = text(call("test_input_required_result_request_state", new Round().answer("confirm", confirmed).state(r1.state())));
    assertTrue(done.contains("state-ok"), done);
  }

  @Test
  void multipleInputsAskThreeKindsAtOnce() throws Exception {
    InputRequired r1 = asks("test_input_required_result_multiple_inputs", new Round());
    assertEquals(List.of("elicitation/create", "sampling/createMessage", "roots/list"),
        r1.requests().values().stream().map(InputRequest::method).toList());
    assertEquals(ModernFixtures.MULTIPLE_INPUTS, r1.state());
    Round all = new Round().state(r1.state())
        .answer("user_name", "{\"action\":\"accept\",\"content\":{\"name\":\"Alice\"}}")
        .answer("greeting", "{\"role\":\"assistant\",\"content\":{\"type\":\"text\",\"text\":\"Hello there!\"},\"model\":\"m\"}")
        .answer("client_roots", "{\"roots\":[{\"uri\":\"file:///test/root\"}]}");
    assertEquals("Name: Alice; Greeting: Hello there!; Roots: 1", text(call("test_input_required_result_multiple_inputs", all)));
  }

  @Test
  void multiRoundTakesThreeRoundsWithChangingState() throws Exception {
    InputRequired r1 = asks("test_input_required_result_multi_round", new Round());
    assertEquals(List.of("step1"), List.copyOf(r1.requests().keySet()));
    InputRequired r2 = asks("test_input_required_result_multi_round", new Round().state(r1.state())
        .answer("step1", "{\"action\":\"accept\",\"content\":{\"name\":\"Alice\"}}"));
    assertEquals(List.of("step2"), List.copyOf(r2.requests().keySet()));
    assertNotEquals(r1.state(), r2.state());
    // The last retry carries only step2's answer: the name travels in the state.
    assertEquals("Multi-round complete for Alice who likes blue", text(call("test_input_required_result_multi_round",
        new Round().state(r2.state()).answer("step2", "{\"action\":\"accept\",\"content\":{\"color\":\"blue\"}}"))));
  }

  @Test
  void capabilitiesLimitWhatIsAsked() throws Exception {
    Round samplingOnly = new Round().capabilities("{\"sampling\":{}}");
    InputRequired r1 = asks("test_input_required_result_capabilities", samplingOnly);
    assertEquals(List.of("sample_input"), List.copyOf(r1.requests().keySet()));
    assertEquals("No supported capabilities declared", text(call("test_input_required_result_capabilities", new Round().capabilities("{}"))));
    assertEquals(3, asks("test_input_required_result_capabilities", new Round()).requests().size());
  }

  @Test
  void missingCapabilityIsRefusedWithTheCapabilityNamed() throws Exception {
    McpError e = refused(call("test_missing_capability", new Round().capabilities("{}")));
    assertEquals(McpError.MISSING_CLIENT_CAPABILITY, e.code());
    assertTrue(e.data().path("requiredCapabilities").path("sampling").isObject());
    assertEquals("sampling/createMessage", asks("test_missing_capability", new Round()).requests().get("hello").method());
  }

  @Test
  void diagnosticToolsLogAndPublish() throws Exception {
    Round round = new Round();
    assertEquals("Logging evaluated", text(call("test_logging_tool", round)));
    assertEquals(List.of(LogLevel.INFO), round.context().logged);
    assertEquals("elicitation/create", asks("test_streaming_elicitation", new Round()).requests().get("stream_confirm").method());
    text(call("test_trigger_tool_change", new Round()));
    text(call("test_trigger_prompt_change", new Round()));
    assertEquals(List.of(ListKind.TOOLS, ListKind.PROMPTS), published);
  }

  @Test
  void promptAsksForItsContext() throws Exception {
    JsonNode r1 = await(getPrompt(new Round()));
    assertEquals("input_required", r1.path("resultType").asText());
    assertEquals("elicitation/create", r1.path("inputRequests").path("user_context").path("method").asText());
    JsonNode result = await(getPrompt(new Round().answer("user_context", "{\"action\":\"accept\",\"content\":{\"context\":\"tests\"}}")));
    assertEquals("Prompt with context: tests", result.path("messages").path(0).path("content").path("text").asText());
  }

  // ------------------------------------------------------------------ rounds

  /** One attempt of a request: the answers and state so far, and the capabilities it declares. */
  private static final class Round {
    private final Map<String, JsonNode> answers = new LinkedHashMap<>();
    private String state;
    private ObjectNode capabilities = Json.parseObject(ALL_CAPS);
    private StubContext context;

    Round answer(String key, String json) {
      try {
        answers.put(key, Json.parse(json));
      } catch (Exception e) {
        throw new IllegalArgumentException(e);
      }
      return this;
    }

    Round state(String s) {
      state = s;
      return this;
    }

    Round capabilities(String json) {
      capabilities = Json.parseObject(json);
      return this;
    }

    StubContext context() {
      if (context == null) context = new StubContext(answers, state, capabilities);
      return context;
    }
  }

  private CompletionStage<JsonNode> call(String tool, Round round) {
    ObjectNode params = Json.object().put("name", tool);
    params.putObject("arguments");
    return dispatch("tools/call", params, round);
  }

  private CompletionStage<JsonNode> getPrompt(Round round) {
    return dispatch("prompts/get", Json.object().put("name", "test_input_required_result_prompt"), round);
  }

  private CompletionStage<JsonNode> dispatch(String method, ObjectNode params, Round round) {
    try {
      // The 2026-07-28 mode: the round's answers and state as a retry would carry them.
      InputRounds.Mode mode = new InputRounds.Return(
          new InputRounds.Round(round.answers, round.state, round.answers.keySet()), next -> "sealed-state");
      return dispatcher.dispatch(method, params, null, round.context(), ConnectHook.AllowList.ALL, mode);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  private static JsonNode await(CompletionStage<JsonNode> stage) throws Exception {
    return stage.toCompletableFuture().get(5, TimeUnit.SECONDS);
  }

  private static String text(CompletionStage<JsonNode> stage) throws Exception {
    JsonNode result = await(stage);
    assertFalse(result.path("isError").asBoolean(), result.toString());
    return result.path("content").path(0).path("text").asText();
  }

  /**
   * The round ended asking for input. A dispatcher that does not pass an {@link InputRequired} through
   * (it answers with an error or {@code input_required} result instead) is bypassed: the handler is
   * asked directly.
   */
  private InputRequired asks(String tool, Round round) throws Exception {
    CompletionStage<JsonNode> stage = call(tool, round);
    Throwable failure = failure(stage);
    if (failure == null) {
      JsonNode result = await(stage);
      assertTrue(result.path("isError").asBoolean() || "input_required".equals(result.path("resultType").asText()),
          "expected input to be required, got " + result);
      CompletionStage<?> direct;
      try {
        direct = dispatcher.server().tool(tool).orElseThrow().handler().call(Json.object(), round.context());
      } catch (RuntimeException e) {
        direct = CompletableFuture.failedFuture(e);
      }
      failure = failure(direct);
    }
    return assertInstanceOf(InputRequired.class, failure);
  }

  private static McpError refused(CompletionStage<JsonNode> stage) throws Exception {
    Throwable failure = failure(stage);
    if (failure == null) fail("expected an error, got " + await(stage));
    return assertInstanceOf(McpError.class, failure);
  }

  private static Throwable failure(CompletionStage<?> stage) throws Exception {
    try {
      stage.toCompletableFuture().get(5, TimeUnit.SECONDS);
      return null;
    } catch (ExecutionException e) {
      return McpDispatcher.unwrap(e);
    }
  }

  /** A request context with fixed answers, state and capabilities; it records what the handler logs. */
  private static final class StubContext implements RequestContext {
    final List<LogLevel> logged = new ArrayList<>();
    private final Map<String, JsonNode> answers;
    private final String state;
    private final ObjectNode capabilities;

    StubContext(Map<String, JsonNode> answers, String state, ObjectNode capabilities) {
      this.answers = Map.copyOf(answers);
      this.state = state;
      this.capabilities = capabilities;
    }

    public String sessionId() {
      return "";
    }

    public Optional<String> principal() {
      return Optional.empty();
    }

    public ObjectNode clientInfo() {
      return Json.object().put("name", "test").put("version", "1");
    }

    public ObjectNode clientCapabilities() {
      return capabilities.deepCopy();
    }

    public String protocolVersion() {
      return "2026-07-28";
    }

    public void log(LogLevel level, JsonNode data) {
      logged.add(level);
    }

    public void progress(double progress, Double total, String message) {}

    public Map<String, JsonNode> inputResponses() {
      return answers;
    }

    public Optional<String> requestState() {
      return Optional.ofNullable(state);
    }

    public CompletionStage<ElicitResult> elicitForm(String message, ObjectNode requestedSchema) {
      return CompletableFuture.failedFuture(new UnsupportedOperationException());
    }

    public CompletionStage<ElicitResult> elicitUrl(UrlElicitation elicitation) {
      return CompletableFuture.failedFuture(new UnsupportedOperationException());
    }

    public CompletionStage<ClientResponse> createMessage(ObjectNode params) {
      return CompletableFuture.failedFuture(new UnsupportedOperationException());
    }

    public CompletionStage<ClientResponse> ping() {
      return CompletableFuture.failedFuture(new UnsupportedOperationException());
    }

    public boolean isCancelled() {
      return false;
    }

    public void onCancel(Runnable action) {}

    public void closeConnection() {}
  }
}
