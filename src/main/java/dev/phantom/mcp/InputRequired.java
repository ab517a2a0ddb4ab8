package dev.phantom.mcp;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A handler's way to ask the client for input, written once for both protocol eras: a tool, prompt or
 * resource handler fails with this (throws it or returns it as a failed stage) and is called again
 * with the answers once the client gave them. On a 2025-11-25 session the server sends each request to
 * the client on the request's stream and waits; on the 2026-07-28 wire the request ends with an
 * {@code input_required} result and the client retries it, on any node, with the answers and the
 * sealed state. Either way the handler sees every answer so far in {@link
 * RequestContext#inputResponses()} and its own {@code state} in {@link RequestContext#requestState()}.
 *
 * <pre>{@code
 * (args, ctx) -> {
 *   Optional<ElicitResult> name = ctx.elicitation("user_name");
 *   if (name.isEmpty()) {
 *     return InputRequired.ask("user_name", InputRequest.elicitForm("What is your name?", schema)).toStage();
 *   }
 *   return CompletableFuture.completedFuture(ToolResult.text("Hello, " + name.get().content().path("name").asText()));
 * }
 * }</pre>
 *
 * <p>A handler asks again for an answer it did not get (a missing key is simply absent from the
 * answers), and several rounds are allowed: answers of earlier rounds stay visible.
 */
public final class InputRequired extends RuntimeException {
  private final Map<String, InputRequest> requests;
  private final String state;

  private InputRequired(Map<String, InputRequest> requests, String state) {
    super("input required: " + requests.keySet(), null, false, false);
    if (requests.isEmpty() && state == null) throw new IllegalArgumentException("ask for at least one input or carry state");
    this.requests = Collections.unmodifiableMap(requests);
    this.state = state;
  }

  /** Asks one question under {@code key} (unique within the request). */
  public static InputRequired ask(String key, InputRequest request) {
    return new InputRequired(Map.of(Objects.requireNonNull(key, "key"), Objects.requireNonNull(request, "request")), null);
  }

  /** Asks several questions at once, by key. */
  public static InputRequired ask(Map<String, InputRequest> requests) {
    return new InputRequired(new LinkedHashMap<>(requests), null);
  }

  /** The same questions plus one more. */
  public InputRequired and(String key, InputRequest request) {
    Map<String, InputRequest> more = new LinkedHashMap<>(requests);
    more.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(request, "request"));
    return new InputRequired(more, state);
  }

  /**
   * The same questions carrying the handler's own state to the next round ({@link
   * RequestContext#requestState()}). On the 2026-07-28 wire it travels inside the sealed {@code
   * requestState}: the client sees it encrypted and cannot change it.
   */
  public InputRequired withState(String state) {
    return new InputRequired(requests, Objects.requireNonNull(state, "state"));
  }

  public Map<String, InputRequest> requests() {
    return requests;
  }

  /** The handler's state for the next round, or null. */
  public String state() {
    return state;
  }

  /** This as a failed stage, to return from a handler. */
  public <T> CompletionStage<T> toStage() {
    return CompletableFuture.failedFuture(this);
  }
}
