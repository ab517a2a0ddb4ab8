package dev.phantom.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * Runs a handler that may ask for input ({@link InputRequired}) in rounds, the same way for both
 * protocol eras; only what happens to the questions differs (the {@link Mode}):
 *
 * <ul>
 *   <li>{@link Ask} (a 2025-11-25 session): each question becomes a real server-to-client request on
 *       the request's stream, and the handler runs again, on the same node, with the answers.
 *   <li>{@link Return} (the 2026-07-28 wire): the request ends with an {@code input_required} result
 *       carrying the questions and a sealed {@code requestState} that holds this round; the client's
 *       retry, on any node, opens it and starts the next round.
 * </ul>
 *
 * <p>In both, a question needing a capability the client did not declare fails the request with
 * -32021 before anything is sent.
 *
 * <pre>{@code
 * InputRounds.Mode stateless = new InputRounds.Return(InputRounds.Round.FIRST, round -> seal.seal(round, method, params, who));
 * }</pre>
 */
public final class InputRounds {
  /** Rounds a 2025 session may take before the request fails: a handler that never completes must not loop forever. */
  public static final int MAX_ROUNDS = 16;

  private InputRounds() {}

  /**
   * What a handler has got so far: every answer of earlier rounds (by key), its own state, and the
   * keys asked in the last round (answers to other keys are ignored).
   */
  public record Round(Map<String, JsonNode> answers, String state, Set<String> asked) {
    public static final Round FIRST = new Round(Map.of(), null, Set.of());

    public Round {
      answers = Map.copyOf(answers);
      asked = Set.copyOf(asked);
    }

    /** This round's answers added: only answers to the keys asked. */
    public Round answered(Map<String, JsonNode> received) {
      Map<String, JsonNode> merged = new LinkedHashMap<>(answers);
      received.forEach((key, value) -> {
        if (asked.contains(key)) merged.put(key, value);
      });
      return new Round(merged, state, asked);
    }
  }

  /** How questions reach the client. */
  public sealed interface Mode {}

  /**
   * A 2025-11-25 session: {@code client} sends one question to the client and completes with its
   * answer (the client's result as JSON), or fails with an {@link McpError} when there is none; the
   * handler's next round runs on {@code handlers} (an answer arrives on whatever thread delivered it).
   */
  public record Ask(Function<InputRequest, CompletionStage<JsonNode>> client, java.util.concurrent.Executor handlers)
      implements Mode {}

  /**
   * The 2026-07-28 wire: {@code first} is what the retry carried (opened from its requestState and its
   * inputResponses), {@code seal} turns the next round into the opaque requestState.
   */
  public record Return(Round first, Function<Round, String> seal) implements Mode {}

  /**
   * Runs {@code call} (the handler, given a context showing the round) until it completes; a question
   * is answered according to {@code mode}. Completes with the handler's JSON result, or with the
   * {@code input_required} result in {@link Return} mode.
   */
  static CompletionStage<JsonNode> run(Function<RequestContext, CompletionStage<JsonNode>> call, RequestContext ctx, Mode mode) {
    Round first = mode instanceof Return r ? r.first() : Round.FIRST;
    return round(call, ctx, mode, first, 1);
  }

  private static CompletionStage<JsonNode> round(Function<RequestContext, CompletionStage<JsonNode>> call, RequestContext ctx,
      Mode mode, Round round, int number) {
    CompletionStage<JsonNode> attempt;
    try {
      attempt = call.apply(new RoundContext(ctx, round));
    } catch (RuntimeException e) {
      attempt = CompletableFuture.failedFuture(e);
    }
    return attempt.handle((result, failure) -> {
      if (failure == null) return CompletableFuture.completedFuture(result);
      if (!(McpDispatcher.unwrap(failure) instanceof InputRequired asked)) return CompletableFuture.<JsonNode>failedFuture(failure);
      checkDeclared(asked, ctx.clientCapabilities());
      Round next = new Round(round.answers(), asked.state(), asked.requests().keySet());
      if (mode instanceof Return r) return CompletableFuture.<JsonNode>completedFuture(inputRequiredResult(asked, r.seal().apply(next)));
      if (number >= MAX_ROUNDS) {
        throw new McpError(McpError.INTERNAL_ERROR, "The handler asked for input " + MAX_ROUNDS + " times without completing");
      }
      Ask ask = (Ask) mode;
      return askAll(ask.client(), asked.requests())
          .thenComposeAsync(answers -> round(call, ctx, mode, next.answered(answers), number + 1), ask.handlers());
    }).thenCompose(stage -> stage);
  }

  private static void checkDeclared(InputRequired asked, ObjectNode declared) {
    ObjectNode missing = Json.object();
    for (InputRequest request : asked.requests().values()) {
      if (!request.declaredBy(declared)) missing.setAll(request.capability());
    }
    if (!missing.isEmpty()) throw McpError.missingClientCapability(missing);
  }

  /** {@code {"resultType":"input_required","inputRequests":{...},"requestState":"..."}}. */
  static ObjectNode inputRequiredResult(InputRequired asked, String requestState) {
    ObjectNode result = Json.object().put("resultType", "input_required");
    if (!asked.requests().isEmpty()) {
      ObjectNode requests = result.putObject("inputRequests");
      asked.requests().forEach((key, request) -> {
        ObjectNode item = requests.putObject(key).put("method", request.method());
        item.set("params", request.params().deepCopy());
      });
    }
    result.put("requestState", requestState);
    return result;
  }

  private static CompletionStage<Map<String, JsonNode>> askAll(
      Function<InputRequest, CompletionStage<JsonNode>> client, Map<String, InputRequest> requests) {
    Map<String, JsonNode> answers = new java.util.concurrent.ConcurrentHashMap<>();
    List<CompletableFuture<Void>> pending = requests.entrySet().stream()
        .map(e -> client.apply(e.getValue()).thenAccept(answer -> answers.put(e.getKey(), answer)).toCompletableFuture())
        .toList();
    return CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).thenApply(done -> answers);
  }

  /** The handler's context for one round: the request's context with this round's answers and state. */
  private record RoundContext(RequestContext inner, Round round) implements RequestContext {
    public String sessionId() { return inner.sessionId(); }
    public java.util.Optional<String> principal() { return inner.principal(); }
    public ObjectNode clientInfo() { return inner.clientInfo(); }
    public ObjectNode clientCapabilities() { return inner.clientCapabilities(); }
    public String protocolVersion() { return inner.protocolVersion(); }
    public void log(LogLevel level, JsonNode data) { inner.log(level, data); }
    public void progress(double progress, Double total, String message) { inner.progress(progress, total, message); }
    public CompletionStage<ElicitResult> elicitForm(String message, ObjectNode schema) { return inner.elicitForm(message, schema); }
    public CompletionStage<ElicitResult> elicitUrl(UrlElicitation elicitation) { return inner.elicitUrl(elicitation); }
    public CompletionStage<ClientResponse> createMessage(ObjectNode params) { return inner.createMessage(params); }
    public CompletionStage<ClientResponse> ping() { return inner.ping(); }
    public boolean isCancelled() { return inner.isCancelled(); }
    public void onCancel(Runnable action) { inner.onCancel(action); }
    public void closeConnection() { inner.closeConnection(); }
    public Map<String, JsonNode> inputResponses() { return round.answers(); }
    public java.util.Optional<String> requestState() { return java.util.Optional.ofNullable(round.state()); }
  }
}
