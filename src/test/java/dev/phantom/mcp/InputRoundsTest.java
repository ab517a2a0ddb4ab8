package dev.phantom.mcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** The MRTR rounds of a handler, in both modes, without a transport. */
class InputRoundsTest {
  private static final ObjectNode SCHEMA = Json.parseObject("{\"type\":\"object\",\"properties\":{\"name\":{\"type\":\"string\"}}}");

  /** Asks step1, then step2, then answers with both: the multi-round handler of the examples. */
  private static final Function<RequestContext, CompletionStage<JsonNode>> TWO_STEPS = ctx -> {
    if (ctx.inputResponse("step1").isEmpty()) {
      return InputRequired.ask("step1", InputRequest.elicitForm("first?", SCHEMA)).withState("s1").toStage();
    }
    if (ctx.inputResponse("step2").isEmpty()) {
      if (!ctx.requestState().equals(java.util.Optional.of("s1"))) throw new IllegalStateException("state lost");
      return InputRequired.ask("step2", InputRequest.elicitForm("second?", SCHEMA)).withState("s2").toStage();
    }
    return CompletableFuture.completedFuture(Json.object()
        .put("one", ctx.elicitation("step1").orElseThrow().content().path("name").asText())
        .put("two", ctx.elicitation("step2").orElseThrow().content().path("name").asText())
        .put("state", ctx.requestState().orElse("")));
  };

  @Test
  void aSessionAsksTheClientAndRunsTheHandlerAgainUntilItCompletes() {
    List<String> asked = new ArrayList<>();
    InputRounds.Ask mode = new InputRounds.Ask(request -> {
      asked.add(request.params().path("message").asText());
      return CompletableFuture.completedFuture(Json.parseObject(
          "{\"action\":\"accept\",\"content\":{\"name\":\"" + request.params().path("message").asText() + "\"}}"));
    }, Runnable::run);
    JsonNode result = InputRounds.run(TWO_STEPS, context(Json.parseObject("{\"elicitation\":{}}")), mode).toCompletableFuture().join();
    assertEquals(List.of("first?", "second?"), asked);
    assertEquals("first?", result.path("one").asText());
    assertEquals("second?", result.path("two").asText());
    assertEquals("s2", result.path("state").asText());
  }

  @Test
  void theStatelessWireReturnsTheQuestionsWithTheSealedRound() {
    List<InputRounds.Round> sealed = new ArrayList<>();
    InputRounds.Return first = new InputRounds.Return(InputRounds.Round.FIRST, round -> {
      sealed.add(round);
      return "sealed-" + sealed.size();
    });
    JsonNode r1 = InputRounds.run(TWO_STEPS, context(Json.parseObject("{\"elicitation\":{}}")), first).toCompletableFuture().join();
    assertEquals("input_required", r1.path("resultType").asText());
    assertEquals("elicitation/create", r1.path("inputRequests").path("step1").path("method").asText());
    assertEquals("first?", r1.path("inputRequests").path("step1").path("params").path("message").asText());
    assertEquals("sealed-1", r1.path("requestState").asText());
    assertEquals(Set.of("step1"), sealed.get(0).asked());
    assertEquals("s1", sealed.get(0).state());

    // The retry: the opened round plus this round's answers; an answer to a key not asked is ignored.
    InputRounds.Round second = sealed.get(0).answered(Map.of(
        "step1", Json.parseObject("{\"action\":\"accept\",\"content\":{\"name\":\"A\"}}"),
        "step2", Json.parseObject("{\"action\":\"accept\",\"content\":{\"name\":\"early\"}}")));
    assertFalse(second.answers().containsKey("step2"));
    JsonNode r2 = InputRounds.run(TWO_STEPS, context(Json.parseObject("{\"elicitation\":{}}")),
        new InputRounds.Return(second, round -> {
          sealed.add(round);
          return "sealed-" + sealed.size();
        })).toCompletableFuture().join();
    assertEquals("step2", r2.path("inputRequests").fieldNames().next());
    assertTrue(sealed.get(1).answers().containsKey("step1"), "answers of earlier rounds travel in the state");

    InputRounds.Round third = sealed.get(1).answered(Map.of("step2", Json.parseObject("{\"action\":\"accept\",\"content\":{\"name\":\"B\"}}")));
    JsonNode r3 = InputRounds.run(TWO_STEPS, context(Json.parseObject("{\"elicitation\":{}}")),
        new InputRounds.Return(third, round -> "unused")).toCompletableFuture().join();
    assertEquals("A", r3.path("one").asText());
    assertEquals("B", r3.path("two").asText());
  }

  @Test
  void aQuestionForAnUndeclaredCapabilityFailsWithMinus32021InBothModes() {
    Function<RequestContext, CompletionStage<JsonNode>> wantsSampling =
        ctx -> InputRequired.ask("q", InputRequest.createMessage(Json.object())).toStage();
    for (InputRounds.Mode mode : List.<InputRounds.Mode>of(
        new InputRounds.Ask(r -> CompletableFuture.failedFuture(new AssertionError("must not ask")), Runnable::run),
        new InputRounds.Return(InputRounds.Round.FIRST, r -> "x"))) {
      CompletionException e = org.junit.jupiter.api.Assertions.assertThrows(CompletionException.class,
          () -> InputRounds.run(wantsSampling, context(Json.parseObject("{\"elicitation\":{}}")), mode).toCompletableFuture().join());
      McpError error = (McpError) e.getCause();
      assertEquals(McpError.MISSING_CLIENT_CAPABILITY, error.code());
      assertTrue(error.data().path("requiredCapabilities").has("sampling"));
    }
  }

  @Test
  void formOnlyElicitationDoesNotCoverUrlMode() {
    InputRequest url = InputRequest.elicitUrl("visit", "https://example.com/x");
    assertFalse(url.declaredBy(Json.parseObject("{\"elicitation\":{}}")));
    assertTrue(url.declaredBy(Json.parseObject("{\"elicitation\":{\"url\":{}}}")));
    assertTrue(InputRequest.elicitForm("m", SCHEMA).declaredBy(Json.parseObject("{\"elicitation\":{}}")));
    assertFalse(InputRequest.elicitForm("m", SCHEMA).declaredBy(Json.parseObject("{\"elicitation\":{\"url\":{}}}")));
    assertTrue(InputRequest.listRoots().declaredBy(Json.parseObject("{\"roots\":{\"listChanged\":true}}")));
  }

  @Test
  void aSessionHandlerThatNeverCompletesStopsAfterTheRoundLimit() {
    Function<RequestContext, CompletionStage<JsonNode>> forever =
        ctx -> InputRequired.ask("again", InputRequest.elicitForm("again?", SCHEMA)).toStage();
    int[] asked = {0};
    InputRounds.Ask mode = new InputRounds.Ask(r -> {
      asked[0]++;
      return CompletableFuture.completedFuture(Json.parseObject("{\"action\":\"decline\"}"));
    }, Runnable::run);
    CompletionException e = org.junit.jupiter.api.Assertions.assertThrows(CompletionException.class,
        () -> InputRounds.run(forever, context(Json.parseObject("{\"elicitation\":{}}")), mode).toCompletableFuture().join());
    assertEquals(McpError.INTERNAL_ERROR, ((McpError) e.getCause()).code());
    assertEquals(InputRounds.MAX_ROUNDS - 1, asked[0]);
  }

  private static RequestContext context(ObjectNode capabilities) {
    return new RequestContext() {
      public String sessionId() { return ""; }
      public java.util.Optional<String> principal() { return java.util.Optional.empty(); }
      public ObjectNode clientInfo() { return Json.object(); }
      public ObjectNode clientCapabilities() { return capabilities; }
      public String protocolVersion() { return "2026-07-28"; }
      public void log(LogLevel level, JsonNode data) {}
      public void progress(double progress, Double total, String message) {}
      public CompletionStage<ElicitResult> elicitForm(String message, ObjectNode requestedSchema) { throw new AssertionError(); }
      public CompletionStage<ElicitResult> elicitUrl(UrlElicitation elicitation) { throw new AssertionError(); }
      public CompletionStage<ClientResponse> createMessage(ObjectNode params) { throw new AssertionError(); }
      public CompletionStage<ClientResponse> ping() { throw new AssertionError(); }
      public boolean isCancelled() { return false; }
      public void onCancel(Runnable action) {}
      public void closeConnection() {}
    };
  }
}
