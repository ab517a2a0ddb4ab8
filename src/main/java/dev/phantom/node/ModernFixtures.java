package dev.phantom.node;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.phantom.mcp.Content;
import dev.phantom.mcp.ElicitResult;
import dev.phantom.mcp.InputRequest;
import dev.phantom.mcp.InputRequired;
import dev.phantom.mcp.Json;
import dev.phantom.mcp.LogLevel;
import dev.phantom.mcp.McpError;
import dev.phantom.mcp.McpServer;
import dev.phantom.mcp.Prompt;
import dev.phantom.mcp.RequestContext;
import dev.phantom.mcp.Tool;
import dev.phantom.mcp.ToolResult;
import dev.phantom.presence.SessionNotification.ListKind;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The demo server's fixtures for the MCP 2026-07-28 conformance scenarios: tools and a prompt that
 * ask the client for input (multi-round-trip requests), the diagnostic tools of the stateless
 * scenario, and a tool whose argument is mirrored into an {@code Mcp-Param-*} header.
 *
 * <p>Every handler asks for input only with {@link InputRequired} and reads the answers from its
 * {@link RequestContext}, so the same fixture serves both eras: on the 2026-07-28 wire it ends in an
 * {@code input_required} result the client retries, on a 2025-11-25 session the server sends the
 * requests to the client and calls the handler again. A malformed answer (not the result the request
 * asked for) is refused with -32602; a missing one is asked for again.
 */
public final class ModernFixtures {

  /** Publishes {@code notifications/<kind>/list_changed} to every session and listen stream of the cluster. */
  @FunctionalInterface
  public interface ListChanges {
    /** Completes with the number of receivers told. */
    CompletionStage<Integer> publish(ListKind kind);
  }

  static final String NAME_SCHEMA =
      "{\"type\":\"object\",\"properties\":{\"name\":{\"type\":\"string\"}},\"required\":[\"name\"]}";
  static final String CONFIRM_SCHEMA =
      "{\"type\":\"object\",\"properties\":{\"ok\":{\"type\":\"boolean\"}},\"required\":[\"ok\"]}";
  static final String REQUEST_STATE = "request-state";
  static final String MULTIPLE_INPUTS = "multiple-inputs";
  static final String TAMPER_TEST = "tamper-test";
  static final String ROUND_1 = "round:1";
  static final String ROUND_2 = "round:2:";

  private ModernFixtures() {}

  /** Adds the fixtures to {@code b}; {@code listChanges} carries the list-change triggers cluster-wide. */
  public static void install(McpServer.Builder b, ListChanges listChanges) {
    // ---- SEP-2322: input required (multi-round-trip requests)
    b.tool(noArgs("test_input_required_result_elicitation", "Asks the user's name (elicitation), then greets them")
        .handler((args, ctx) -> {
          Optional<ElicitResult> name = elicited(ctx, "user_name");
          if (name.isEmpty()) return ask("user_name", askName("What is your name?"), null);
          if (!name.get().accepted()) return text("No name given (" + action(name.get()) + ")");
          return text("Hello, " + field(name.get(), "user_name", "name") + "!");
        }).build());
    b.tool(noArgs("test_input_required_result_sampling", "Asks the client's model a question (sampling)")
        .handler((args, ctx) -> {
          Optional<String> answer = sampled(ctx, "capital_question");
          if (answer.isEmpty()) return ask("capital_question", sample("What is the capital of France?", 100), null);
          return text("Sampling result: " + answer.get());
        }).build());
    b.tool(noArgs("test_input_required_result_list_roots", "Asks the client for its roots, then lists them")
        .handler((args, ctx) -> {
          Optional<List<String>> roots = roots(ctx, "client_roots");
          if (roots.isEmpty()) return ask("client_roots", InputRequest.listRoots(), null);
          return text("Found " + roots.get().size() + " root(s): " + String.join(", ", roots.get()));
        }).build());
    b.tool(noArgs("test_input_required_result_request_state", "Asks for a confirmation and carries its own state to the retry")
        .handler((args, ctx) -> {
          Optional<ElicitResult> confirm = elicited(ctx, "confirm");
          if (confirm.isEmpty() || !ctx.requestState().filter(REQUEST_STATE::equals).isPresent()) {
            return ask("confirm", askConfirm(), REQUEST_STATE);
          }
          if (!confirm.get().accepted()) return text("state-ok: requestState validated; not confirmed (" + action(confirm.get()) + ")");
          return text("state-ok: requestState validated; ok=" + flag(confirm.get(), "confirm", "ok"));
        }).build());
    b.tool(noArgs("test_input_required_result_multiple_inputs", "Asks for a name, a model's greeting and the roots at once")
        .handler(ModernFixtures::multipleInputs).build());
    b.tool(noArgs("test_input_required_result_multi_round", "Asks a name, then a favourite colour, in two rounds")
        .handler(ModernFixtures::multiRound).build());
    b.tool(noArgs("test_input_required_result_tampered_state", "Asks for a confirmation with sealed state (tampering is refused)")
        .handler((args, ctx) -> {
          Optional<ElicitResult> confirm = elicited(ctx, "confirm");
          if (confirm.isEmpty() || !ctx.requestState().filter(TAMPER_TEST::equals).isPresent()) {
            return ask("confirm", askConfirm(), TAMPER_TEST);
          }
          return text("integrity-ok: state verified (" + action(confirm.get()) + ")");
        }).build());
    b.tool(noArgs("test_input_required_result_capabilities", "Asks only for the inputs the client declared it can give")
        .handler(ModernFixtures::capabilities).build());
    b.prompt(Prompt.builder("test_input_required_result_prompt").description("A prompt that asks the user for its context first")
        .handler((a, ctx) -> {
          Optional<ElicitResult> context = elicited(ctx, "user_context");
          if (context.isEmpty()) {
            return InputRequired.ask("user_context", InputRequest.elicitForm("What context should the prompt use?", Json.parseObject(
                "{\"type\":\"object\",\"properties\":{\"context\":{\"type\":\"string\"}},\"required\":[\"context\"]}"))).toStage();
          }
          String text = context.get().accepted()
              ? "Prompt with context: " + field(context.get(), "user_context", "context")
              : "Prompt without context (" + action(context.get()) + ")";
          return CompletableFuture.completedFuture(Prompt.Result.of(Prompt.Message.user(Content.text(text))));
        }).build());

    // ---- SEP-2575: diagnostic tools of the stateless scenario
    b.tool(noArgs("test_missing_capability", "Needs the sampling capability: asks the client's model to say hello")
        .handler((args, ctx) -> {
          if (!ctx.clientCapabilities().has("sampling")) throw McpError.missingClientCapability(Json.parseObject("{\"sampling\":{}}"));
          Optional<String> answer = sampled(ctx, "hello");
          if (answer.isEmpty()) return ask("hello", sample("Say hello", 20), null);
          return text("Success: " + answer.get());
        }).build());
    b.tool(noArgs("test_streaming_elicitation", "Reports progress, then asks for a confirmation (elicitation) on the request's own stream")
        .handler((args, ctx) -> {
          Optional<ElicitResult> confirm = elicited(ctx, "stream_confirm");
          if (confirm.isEmpty()) {
            ctx.progress(50, 100.0, "waiting for the confirmation");
            return ask("stream_confirm", InputRequest.elicitForm("Continue streaming?", Json.parseObject(CONFIRM_SCHEMA)), null);
          }
          ctx.progress(100, 100.0, "confirmed");
          return text("Streaming complete (" + action(confirm.get()) + ")");
        }).build());
    b.tool(noArgs("test_logging_tool", "Logs one info message (sent only if the request asked for logs at that level)")
        .handler((args, ctx) -> {
          ctx.log(LogLevel.INFO, "Diagnostic trace logging activated");
          return text("Logging evaluated");
        }).build());
    b.tool(noArgs("test_trigger_tool_change", "Announces a tools list change to every session and listen stream of the cluster")
        .handler((args, ctx) -> listChanges.publish(ListKind.TOOLS).thenApply(n -> ToolResult.text("Mutation triggered: notified " + n))).build());
    b.tool(noArgs("test_trigger_prompt_change", "Announces a prompts list change to every session and listen stream of the cluster")
        .handler((args, ctx) -> listChanges.publish(ListKind.PROMPTS).thenApply(n -> ToolResult.text("Mutation triggered: notified " + n))).build());

    // ---- SEP-2243: a string argument mirrored into the Mcp-Param-Region header
    b.tool(Tool.builder("test_mcp_param_header").description("Echoes its region, which clients mirror into the Mcp-Param-Region header")
        .inputSchema("{\"type\":\"object\",\"properties\":{\"region\":{\"type\":\"string\","
            + "\"description\":\"A region; clients send it as the Mcp-Param-Region header too\",\"x-mcp-header\":\"Region\"}},"
            + "\"required\":[\"region\"]}")
        .handler((args, ctx) -> text("region=" + args.path("region").asText())).build());
  }

  // ------------------------------------------------------------------ the longer handlers

  private static CompletionStage<ToolResult> multipleInputs(ObjectNode args, RequestContext ctx) {
    Optional<ElicitResult> name = elicited(ctx, "user_name");
    Optional<String> greeting = sampled(ctx, "greeting");
    Optional<List<String>> roots = roots(ctx, "client_roots");
    Map<String, InputRequest> missing = new LinkedHashMap<>();
    if (name.isEmpty()) missing.put("user_name", askName("What is your name?"));
    if (greeting.isEmpty()) missing.put("greeting", sample("Generate a greeting", 50));
    if (roots.isEmpty()) missing.put("client_roots", InputRequest.listRoots());
    if (!missing.isEmpty() || !ctx.requestState().filter(MULTIPLE_INPUTS::equals).isPresent()) {
      if (missing.isEmpty()) { // answers without our state: ask everything again, with it
        missing.put("user_name", askName("What is your name?"));
        missing.put("greeting", sample("Generate a greeting", 50));
        missing.put("client_roots", InputRequest.listRoots());
      }
      return InputRequired.ask(missing).withState(MULTIPLE_INPUTS).toStage();
    }
    String who = name.get().accepted() ? field(name.get(), "user_name", "name") : "(" + action(name.get()) + ")";
    return text("Name: " + who + "; Greeting: " + greeting.get() + "; Roots: " + roots.get().size());
  }

  /** Round 1 asks step1 (state round:1), round 2 asks step2 (state round:2:NAME), round 3 answers. */
  private static CompletionStage<ToolResult> multiRound(ObjectNode args, RequestContext ctx) {
    String state = ctx.requestState().orElse("");
    if (state.startsWith(ROUND_2)) {
      Optional<ElicitResult> color = elicited(ctx, "step2");
      if (color.isEmpty()) return ask("step2", askColor(), state);
      String name = state.substring(ROUND_2.length());
      return text(color.get().accepted()
          ? "Multi-round complete for " + name + " who likes " + field(color.get(), "step2", "color")
          : "Multi-round complete for " + name + " without a colour (" + action(color.get()) + ")");
    }
    Optional<ElicitResult> name = state.equals(ROUND_1) ? elicited(ctx, "step1") : Optional.empty();
    if (name.isEmpty()) return ask("step1", askName("Step 1: What is your name?"), ROUND_1);
    String who = name.get().accepted() ? field(name.get(), "step1", "name") : "friend";
    return ask("step2", askColor(), ROUND_2 + who);
  }

  private static CompletionStage<ToolResult> capabilities(ObjectNode args, RequestContext ctx) {
    Map<String, InputRequest> offered = new LinkedHashMap<>();
    offered.put("elicit_input", InputRequest.elicitForm("Elicitation input", Json.parseObject(
        "{\"type\":\"object\",\"properties\":{\"value\":{\"type\":\"string\"}},\"required\":[\"value\"]}")));
    offered.put("sample_input", sample("Sample request", 50));
    offered.put("roots_input", InputRequest.listRoots());
    ObjectNode declared = ctx.clientCapabilities();
    Map<String, InputRequest> asked = new LinkedHashMap<>();
    offered.forEach((key, request) -> {
      if (request.declaredBy(declared)) asked.put(key, request);
    });
    if (asked.isEmpty()) return text("No supported capabilities declared");
    List<String> received = new ArrayList<>();
    for (String key : asked.keySet()) ctx.inputResponse(key).ifPresent(r -> received.add(key));
    if (received.isEmpty()) return InputRequired.ask(asked).withState("capabilities-test").toStage();
    return text("capabilities-ok: received " + String.join(",", received));
  }

  // ------------------------------------------------------------------ questions

  private static InputRequest askName(String message) {
    return InputRequest.elicitForm(message, Json.parseObject(NAME_SCHEMA));
  }

  private static InputRequest askConfirm() {
    return InputRequest.elicitForm("Please confirm", Json.parseObject(CONFIRM_SCHEMA));
  }

  private static InputRequest askColor() {
    return InputRequest.elicitForm("Step 2: What is your favorite color?", Json.parseObject(
        "{\"type\":\"object\",\"properties\":{\"color\":{\"type\":\"string\"}},\"required\":[\"color\"]}"));
  }

  private static InputRequest sample(String text, int maxTokens) {
    ObjectNode params = Json.object();
    params.putArray("messages").addObject().put("role", "user")
        .putObject("content").put("type", "text").put("text", text);
    params.put("maxTokens", maxTokens);
    return InputRequest.createMessage(params);
  }

  // ------------------------------------------------------------------ answers

  /** The elicitation answered under {@code key}, if any; an answer that is no elicitation result is refused. */
  static Optional<ElicitResult> elicited(RequestContext ctx, String key) {
    Optional<ElicitResult> r = ctx.elicitation(key);
    if (r.isPresent() && r.get().action() == ElicitResult.Action.ERROR) throw invalidAnswer(key, "an elicitation result");
    return r;
  }

  /** The text of the sampling result answered under {@code key}, if any. */
  static Optional<String> sampled(RequestContext ctx, String key) {
    return ctx.inputResponse(key).map(r -> {
      JsonNode content = r.get("content");
      if (!r.isObject() || content == null) throw invalidAnswer(key, "a sampling result");
      JsonNode block = content.isArray() ? content.path(0) : content;
      return block.path("text").isTextual() ? block.path("text").textValue() : "[" + block.path("type").asText("no text") + "]";
    });
  }

  /** The root URIs answered under {@code key}, if any. */
  static Optional<List<String>> roots(RequestContext ctx, String key) {
    return ctx.inputResponse(key).map(r -> {
      if (!r.path("roots").isArray()) throw invalidAnswer(key, "a roots list");
      List<String> uris = new ArrayList<>();
      for (JsonNode root : r.path("roots")) uris.add(root.path("uri").asText());
      return uris;
    });
  }

  /** A text field of an accepted form. */
  static String field(ElicitResult r, String key, String name) {
    JsonNode value = r.content() == null ? null : r.content().get(name);
    if (value == null || !value.isTextual()) throw invalidAnswer(key, "a form with the string \"" + name + "\"");
    return value.textValue();
  }

  /** A boolean field of an accepted form. */
  static boolean flag(ElicitResult r, String key, String name) {
    JsonNode value = r.content() == null ? null : r.content().get(name);
    if (value == null || !value.isBoolean()) throw invalidAnswer(key, "a form with the boolean \"" + name + "\"");
    return value.booleanValue();
  }

  private static McpError invalidAnswer(String key, String expected) {
    return McpError.invalidParams("inputResponses." + key + " must be " + expected);
  }

  // ------------------------------------------------------------------ helpers

  private static Tool.Builder noArgs(String name, String description) {
    return Tool.builder(name).description(description);
  }

  private static <T> CompletionStage<T> ask(String key, InputRequest request, String state) {
    InputRequired question = InputRequired.ask(key, request);
    return (state == null ? question : question.withState(state)).toStage();
  }

  private static String action(ElicitResult r) {
    return r.action().name().toLowerCase(java.util.Locale.ROOT);
  }

  private static CompletionStage<ToolResult> text(String text) {
    return CompletableFuture.completedFuture(ToolResult.text(text));
  }
}
