package dev.phantom.node;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.phantom.mcp.ClientResponse;
import dev.phantom.mcp.Completions;
import dev.phantom.mcp.Content;
import dev.phantom.mcp.ElicitResult;
import dev.phantom.mcp.Json;
import dev.phantom.mcp.LogLevel;
import dev.phantom.http.McpTransport;
import dev.phantom.mcp.McpError;
import dev.phantom.mcp.McpServer;
import dev.phantom.mcp.Prompt;
import dev.phantom.mcp.Resource;
import dev.phantom.mcp.ResourceContents;
import dev.phantom.mcp.ResourceTemplate;
import dev.phantom.mcp.Tool;
import dev.phantom.mcp.ToolResult;
import dev.phantom.mcp.UrlElicitation;
import dev.phantom.presence.SessionTracker;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The node's demo server: the MCP conformance suite's fixtures with their exact names and outputs
 * (those of the 2026-07-28 revision in {@link ModernFixtures}), {@code echo}, and tools that exercise
 * the cluster features (list_changed, resources/updated, progress, form and URL elicitation).
 */
public final class DemoServer {
  static final String PNG =
      "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==";
  static final String WAV = "UklGRiYAAABXQVZFZm10IBAAAAABAAEAQB8AAAB9AAACABAAZGF0YQIAAAA=";
  static final String WATCHED = "test://watched-resource";
  /** A template of subscribable notes: any number of distinct resources, e.g. for subscription tests. */
  static final String NOTES = "test://notes/{id}";
  /**
   * Bounds of what a client can ask of the demo tools (the node serves them to anyone who reaches it
   * when the demo is on): echo's text, slow_progress's steps, delay and whole duration. Beyond: -32602.
   */
  // As large as a body may be (phantom.mcp.max-body-size): the HTTP tests echo a body of exactly the limit.
  static final int MAX_TEXT = 1024 * 1024;
  static final int MAX_STEPS = 200;
  static final int MAX_DELAY_MS = 1000;
  static final long MAX_SLOW_MS = 60_000;
  /** Runs of increment_counter in this JVM. */
  public static final AtomicLong RUNS = new AtomicLong();

  private DemoServer() {}

  public static McpServer create(SessionTracker tracker) {
    AtomicLong watchedVersion = new AtomicLong();
    McpServer.Builder b = McpServer.builder("phantom-demo", "0.1.0")
        .title("Phantom for Akka demo server")
        .instructions("Conformance fixtures plus cluster demo tools (echo, add_dynamic_tool, update_watched_resource, ...).")
        .completions((ref, argument, value, context, ctx) -> done(Completions.Result.of(
            List.of("test", "testValue1", "testValue2").stream().filter(v -> v.startsWith(value)).toList())));

    // ---- conformance tools (digest §4.3)
    b.tool(Tool.builder("test_simple_text").description("Returns a simple text response")
        .handler((args, ctx) -> done(ToolResult.text("This is a simple text response for testing."))).build());
    b.tool(Tool.builder("test_image_content").description("Returns an image")
        .handler((args, ctx) -> done(ToolResult.of(Content.image(PNG, "image/png")))).build());
    b.tool(Tool.builder("test_audio_content").description("Returns audio")
        .handler((args, ctx) -> done(ToolResult.of(Content.audio(WAV, "audio/wav")))).build());
    b.tool(Tool.builder("test_embedded_resource").description("Returns an embedded resource")
        .handler((args, ctx) -> done(ToolResult.of(Content.resource(ResourceContents.text(
            "test://embedded-resource", "text/plain", "This is an embedded resource content."))))).build());
    b.tool(Tool.builder("test_multiple_content_types").description("Returns text, an image and a resource")
        .handler((args, ctx) -> done(ToolResult.of(
            Content.text("Multiple content types test:"),
            Content.image(PNG, "image/png"),
            Content.resource(ResourceContents.text("test://mixed-content-resource", "application/json",
                "{\"test\":\"data\",\"value\":123}"))))).build());
    b.tool(Tool.builder("test_tool_with_logging").description("Logs three messages while it runs")
        .handler((args, ctx) -> {
          ctx.log(LogLevel.INFO, "Tool execution started");
          return later(50, () -> ctx.log(LogLevel.INFO, "Tool processing data"))
              .thenCompose(v -> later(50, () -> ctx.log(LogLevel.INFO, "Tool execution completed")))
              .thenApply(v -> ToolResult.text("Tool with logging executed successfully"));
        }).build());
    b.tool(Tool.builder("test_tool_with_progress").description("Reports progress while it runs")
        .handler((args, ctx) -> {
          ctx.progress(0, 100.0, null);
          return later(50, () -> ctx.progress(50, 100.0, null))
              .thenCompose(v -> later(50, () -> ctx.progress(100, 100.0, null)))
              .thenApply(v -> ToolResult.text("Progress tool completed"));
        }).build());
    b.tool(Tool.builder("test_error_handling").description("Always fails (as a tool result)")
        .handler((args, ctx) -> done(ToolResult.error("This tool intentionally returns an error for testing"))).build());
    b.tool(Tool.builder("test_sampling").description("Asks the client's model")
        .inputSchema("{\"type\":\"object\",\"properties\":{\"prompt\":{\"type\":\"string\"}},\"required\":[\"prompt\"]}")
        .handler((args, ctx) -> {
          ObjectNode params = Json.object().put("maxTokens", 100);
          params.putArray("messages").addObject().put("role", "user")
              .putObject("content").put("type", "text").put("text", args.path("prompt").asText());
          return ctx.createMessage(params).thenApply(DemoServer::samplingResult);
        }).build());
    b.tool(Tool.builder("test_elicitation").description("Asks the user for a username and an email")
        .inputSchema("{\"type\":\"object\",\"properties\":{\"message\":{\"type\":\"string\"}},\"required\":[\"message\"]}")
        .handler((args, ctx) -> ctx.elicitForm(args.path("message").asText(), Json.parseObject(
                "{\"type\":\"object\",\"properties\":{"
                    + "\"username\":{\"type\":\"string\",\"description\":\"User's response\"},"
                    + "\"email\":{\"type\":\"string\",\"description\":\"User's email address\"}},"
                    + "\"required\":[\"username\",\"email\"]}"))
            .thenApply(r -> ToolResult.text("User response: action=" + action(r) + ", content=" + content(r)))).build());
    b.tool(Tool.builder("test_elicitation_sep1034_defaults").description("Elicitation with default values")
        .handler((args, ctx) -> ctx.elicitForm("Please review and update the form fields with defaults", Json.parseObject(
                "{\"type\":\"object\",\"properties\":{"
                    + "\"name\":{\"type\":\"string\",\"description\":\"User name\",\"default\":\"John Doe\"},"
                    + "\"age\":{\"type\":\"integer\",\"description\":\"User age\",\"default\":30},"
                    + "\"score\":{\"type\":\"number\",\"description\":\"User score\",\"default\":95.5},"
                    + "\"status\":{\"type\":\"string\",\"description\":\"User status\",\"enum\":[\"active\",\"inactive\",\"pending\"],\"default\":\"active\"},"
                    + "\"verified\":{\"type\":\"boolean\",\"description\":\"Verification status\",\"default\":true}},"
                    + "\"required\":[]}"))
            .thenApply(r -> ToolResult.text("Elicitation completed: action=" + action(r) + ", content=" + content(r)))).build());
    b.tool(Tool.builder("test_elicitation_sep1330_enums").description("Elicitation with every enum shape")
        .handler((args, ctx) -> ctx.elicitForm("Please select options from the enum fields", Json.parseObject(
                "{\"type\":\"object\",\"properties\":{"
                    + "\"untitledSingle\":{\"type\":\"string\",\"description\":\"Select one option\",\"enum\":[\"option1\",\"option2\",\"option3\"]},"
                    + "\"titledSingle\":{\"type\":\"string\",\"description\":\"Select one option with titles\",\"oneOf\":["
                    + "{\"const\":\"value1\",\"title\":\"First Option\"},{\"const\":\"value2\",\"title\":\"Second Option\"},"
                    + "{\"const\":\"value3\",\"title\":\"Third Option\"}]},"
                    + "\"legacyEnum\":{\"type\":\"string\",\"description\":\"Select one option (legacy)\",\"enum\":[\"opt1\",\"opt2\",\"opt3\"],"
                    + "\"enumNames\":[\"Option One\",\"Option Two\",\"Option Three\"]},"
                    + "\"untitledMulti\":{\"type\":\"array\",\"description\":\"Select multiple options\",\"minItems\":1,\"maxItems\":3,"
                    + "\"items\":{\"type\":\"string\",\"enum\":[\"option1\",\"option2\",\"option3\"]}},"
                    + "\"titledMulti\":{\"type\":\"array\",\"description\":\"Select multiple options with titles\",\"minItems\":1,\"maxItems\":3,"
                    + "\"items\":{\"anyOf\":[{\"const\":\"value1\",\"title\":\"First Choice\"},{\"const\":\"value2\",\"title\":\"Second Choice\"},"
                    + "{\"const\":\"value3\",\"title\":\"Third Choice\"}]}}},"
                    + "\"required\":[]}"))
            .thenApply(r -> ToolResult.text("Elicitation completed: action=" + action(r) + ", content=" + content(r)))).build());
    b.tool(Tool.builder("json_schema_2020_12_tool").description("A tool whose input schema uses JSON Schema 2020-12 features")
        .inputSchema("{\"$schema\":\"https://json-schema.org/draft/2020-12/schema\",\"type\":\"object\","
            + "\"$defs\":{\"address\":{\"$anchor\":\"addressDef\",\"type\":\"object\","
            + "\"properties\":{\"street\":{\"type\":\"string\"},\"city\":{\"type\":\"string\"}}}},"
            + "\"properties\":{\"name\":{\"type\":\"string\"},\"address\":{\"$ref\":\"#/$defs/address\"},"
            + "\"contactMethod\":{\"type\":\"string\",\"enum\":[\"phone\",\"email\"]},"
            + "\"phone\":{\"type\":\"string\"},\"email\":{\"type\":\"string\"}},"
            + "\"allOf\":[{\"anyOf\":[{\"required\":[\"phone\"]},{\"required\":[\"email\"]}]}],"
            + "\"if\":{\"properties\":{\"contactMethod\":{\"const\":\"phone\"}},\"required\":[\"contactMethod\"]},"
            + "\"then\":{\"required\":[\"phone\"]},\"else\":{\"required\":[\"email\"]},"
            + "\"additionalProperties\":false}")
        .handler((args, ctx) -> done(ToolResult.text("Received: " + Json.write(args)))).build());
    b.tool(Tool.builder("test_reconnection").description("Closes its SSE connection, then answers on the resumed stream")
        .handler((args, ctx) -> {
          ctx.closeConnection();
          return later(100, () -> {}).thenApply(v -> ToolResult.text(
              "Reconnection test completed successfully. The result was delivered after the client reconnected."));
        }).build());

    // ---- the 2026-07-28 fixtures (input required, stateless diagnostics, Mcp-Param headers)
    ModernFixtures.install(b, kind -> switch (kind) {
      case TOOLS -> tracker.notifyToolList();
      case PROMPTS -> tracker.notifyPromptList();
      case RESOURCES -> tracker.notifyResourceList();
    });

    // ---- demo tools
    b.tool(Tool.builder("echo").description("Returns its text argument")
        .inputSchema("{\"type\":\"object\",\"properties\":{\"text\":{\"type\":\"string\"}},\"required\":[\"text\"]}")
        .handler((args, ctx) -> {
          String text = args.path("text").asText();
          if (text.length() > MAX_TEXT) throw McpError.invalidParams("text must be at most " + MAX_TEXT + " characters");
          return done(ToolResult.text(text));
        }).nonBlocking().build());
    b.tool(Tool.builder("slow_progress").description("Counts to 'steps' (1.." + MAX_STEPS + ") with progress, 'delayMs' (1.."
            + MAX_DELAY_MS + ") apart, at most " + MAX_SLOW_MS / 1000 + " s in all (cancellable)")
        .inputSchema("{\"type\":\"object\",\"properties\":{\"steps\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":" + MAX_STEPS
            + "},\"delayMs\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":" + MAX_DELAY_MS + "}}}")
        .handler((args, ctx) -> {
          int steps = bounded(args, "steps", 5, MAX_STEPS);
          int delayMs = bounded(args, "delayMs", 200, MAX_DELAY_MS);
          if ((long) steps * delayMs > MAX_SLOW_MS) {
            throw McpError.invalidParams("steps x delayMs must be at most " + MAX_SLOW_MS + " ms");
          }
          return slowCount(ctx, 0, steps, delayMs);
        }).build());
    b.tool(Tool.builder("form_elicitation").description("Asks the user's name with a form")
        .handler((args, ctx) -> ctx.elicitForm("What is your name?", Json.parseObject(
                "{\"type\":\"object\",\"properties\":{\"name\":{\"type\":\"string\"}},\"required\":[\"name\"]}"))
            .thenApply(r -> ToolResult.text("action=" + action(r) + ", content=" + content(r)))).build());
    b.tool(Tool.builder("url_elicitation").description("Sends the user to a URL; complete it with complete_url_elicitation")
        .handler((args, ctx) -> {
          String id = tracker.tracker().mintId();
          return ctx.elicitUrl(new UrlElicitation("Please authorize at the URL", "https://example.com/authorize?e=" + id, id))
              .thenApply(r -> ToolResult.text("elicitationId=" + id + ", action=" + action(r)));
        }).build());
    b.tool(Tool.builder("complete_url_elicitation").description("Marks a URL elicitation complete (any node)")
        .inputSchema("{\"type\":\"object\",\"properties\":{\"elicitationId\":{\"type\":\"string\"}},\"required\":[\"elicitationId\"]}")
        .handler((args, ctx) -> tracker.notifyElicitationComplete(args.path("elicitationId").asText())
            .thenApply(n -> ToolResult.text("notified " + n))).build());
    b.tool(Tool.builder("url_elicitation_required").description("Fails with -32042 until a URL elicitation is completed")
        .handler((args, ctx) -> {
          String id = tracker.tracker().mintId();
          throw McpError.urlElicitationRequired("This request requires more information.",
              List.of(new UrlElicitation("Please authorize", "https://example.com/oauth?e=" + id, id)));
        }).build());
    b.tool(Tool.builder("ping_client").description("Pings the client and reports whether it answered")
        .handler((args, ctx) -> ctx.ping().thenApply(r -> ToolResult.text(r.ok() ? "client answered" : "no answer"))).build());
    b.tool(Tool.builder("notify_prompt_list").description("Sends prompts/list_changed to every session of the cluster")
        .handler((args, ctx) -> tracker.notifyPromptList().thenApply(n -> ToolResult.text("notified " + n))).build());
    b.tool(Tool.builder("notify_list_changed").description("Sends <kind>/list_changed (tools, prompts or resources) to every session of the cluster")
        .inputSchema("{\"type\":\"object\",\"properties\":{\"kind\":{\"type\":\"string\",\"enum\":[\"tools\",\"prompts\",\"resources\"]}},\"required\":[\"kind\"]}")
        .handler((args, ctx) -> (switch (args.path("kind").asText()) {
          case "tools" -> tracker.notifyToolList();
          case "prompts" -> tracker.notifyPromptList();
          case "resources" -> tracker.notifyResourceList();
          default -> throw McpError.invalidParams("kind must be tools, prompts or resources");
        }).thenApply(n -> ToolResult.text("notified " + n))).build());
    b.tool(Tool.builder("update_resource").description("Notifies the subscribers of a resource of the template " + NOTES + " that it changed")
        .inputSchema("{\"type\":\"object\",\"properties\":{\"uri\":{\"type\":\"string\"}},\"required\":[\"uri\"]}")
        .handler((args, ctx) -> tracker.notifyResourceUpdated(args.path("uri").asText())
            .thenApply(n -> ToolResult.text("notified " + n))).build());
    b.tool(Tool.builder("increment_counter").description("Counts its runs in this JVM (to prove a request ran once)")
        .handler((args, ctx) -> done(ToolResult.text(Long.toString(RUNS.incrementAndGet())))).build());
    b.tool(Tool.builder("update_watched_resource").description("Changes " + WATCHED + " and notifies its subscribers")
        .handler((args, ctx) -> {
          watchedVersion.incrementAndGet();
          return tracker.notifyResourceUpdated(WATCHED).thenApply(n -> ToolResult.text("notified " + n));
        }).build());

    // ---- resources
    b.resource(new Resource("test://static-text", "Static Text Resource", null, "A static text resource", "text/plain",
        (uri, ctx) -> done(List.of(ResourceContents.text(uri, "text/plain", "This is the content of the static text resource.")))));
    b.resource(new Resource("test://static-binary", "Static Binary Resource", null, "A static binary resource", "image/png",
        (uri, ctx) -> done(List.of(ResourceContents.blob(uri, "image/png", PNG)))));
    b.resource(new Resource(WATCHED, "Watched Resource", null, "A resource that can be subscribed to", "text/plain",
        (uri, ctx) -> done(List.of(ResourceContents.text(uri, "text/plain", "Watched resource, version " + watchedVersion.get())))));
    b.resource(new Resource("test://example-resource", "Example Resource", null, "An example resource", "text/plain",
        (uri, ctx) -> done(List.of(ResourceContents.text(uri, "text/plain", "Example resource content.")))));
    b.resourceTemplate(new ResourceTemplate(NOTES, "Note", null, "A note; update_resource announces a change", "text/plain",
        (uri, vars, ctx) -> done(List.of(ResourceContents.text(uri, "text/plain", "Note " + vars.get("id"))))));
    b.resourceTemplate(new ResourceTemplate("test://template/{id}/data", "Template Resource", null,
        "A resource template with an id", "application/json",
        (uri, vars, ctx) -> done(List.of(ResourceContents.text(uri, "application/json",
            "{\"id\":\"" + vars.get("id") + "\",\"templateTest\":true,\"data\":\"Data for ID: " + vars.get("id") + "\"}")))));

    // ---- prompts
    b.prompt(Prompt.builder("test_simple_prompt").description("A simple prompt without arguments")
        .handler((a, ctx) -> done(Prompt.Result.of(Prompt.Message.user(Content.text("This is a simple prompt for testing."))))).build());
    b.prompt(Prompt.builder("test_prompt_with_arguments").description("A prompt with arguments")
        .argument("arg1", "First test argument", true).argument("arg2", "Second test argument", true)
        .handler((a, ctx) -> done(Prompt.Result.of(Prompt.Message.user(Content.text(
            "Prompt with arguments: arg1='" + a.get("arg1") + "', arg2='" + a.get("arg2") + "'"))))).build());
    b.prompt(Prompt.builder("test_prompt_with_embedded_resource").description("A prompt with an embedded resource")
        .argument("resourceUri", "URI of the resource to embed", true)
        .handler((a, ctx) -> done(Prompt.Result.of(
            Prompt.Message.user(Content.resource(ResourceContents.text(a.get("resourceUri"), "text/plain",
                "Embedded resource content for testing."))),
            Prompt.Message.user(Content.text("Please process the embedded resource above."))))).build());
    b.prompt(Prompt.builder("test_prompt_with_image").description("A prompt with an image")
        .handler((a, ctx) -> done(Prompt.Result.of(
            Prompt.Message.user(Content.image(PNG, "image/png")),
            Prompt.Message.user(Content.text("Please analyze the image above."))))).build());
    return b.build();
  }

  /** A tool added and removed at run time by the add/remove demo tools. */
  static Tool dynamicTool() {
    return Tool.builder("dynamic_tool").description("A tool that was added at run time")
        .handler((args, ctx) -> done(ToolResult.text("dynamic tool says hello"))).build();
  }

  /**
   * Adds the tools that add and remove {@link #dynamicTool()} on every node of the cluster (then one
   * list_changed reaches every session).
   */
  public static void installDynamicTools(McpServer server, McpTransport mcp) {
    mcp.registerChange("add-dynamic-tool", s -> s.addToolOnThisNode(dynamicTool(), false));
    mcp.registerChange("remove-dynamic-tool", s -> s.removeToolOnThisNode("dynamic_tool", false));
    server.addToolOnThisNode(Tool.builder("add_dynamic_tool").description("Adds the tool dynamic_tool on every node (sessions get list_changed)")
        .handler((args, ctx) -> mcp.applyEverywhere("add-dynamic-tool", McpTransport.Announce.TOOLS)
            .thenApply(r -> ToolResult.text("added dynamic_tool on " + r.nodes() + " node(s), announced to "
                + r.sessionsNotified() + " session(s)"))).build(), false);
    server.addToolOnThisNode(Tool.builder("remove_dynamic_tool").description("Removes the tool dynamic_tool on every node")
        .handler((args, ctx) -> mcp.applyEverywhere("remove-dynamic-tool", McpTransport.Announce.TOOLS)
            .thenApply(r -> ToolResult.text("removed dynamic_tool on " + r.nodes() + " node(s), announced to "
                + r.sessionsNotified() + " session(s)"))).build(), false);
  }

  private static CompletionStage<ToolResult> slowCount(dev.phantom.mcp.RequestContext ctx, int done, int steps, int delayMs) {
    if (ctx.isCancelled()) return done(ToolResult.error("cancelled"));
    if (done == steps) return done(ToolResult.text("counted to " + steps));
    return later(delayMs, () -> ctx.progress(done + 1, (double) steps, "step " + (done + 1)))
        .thenCompose(v -> slowCount(ctx, done + 1, steps, delayMs));
  }

  /** The integer argument {@code name} (absent: {@code dflt}), which must be 1..max. */
  static int bounded(ObjectNode args, String name, int dflt, int max) {
    com.fasterxml.jackson.databind.JsonNode v = args.get(name);
    if (v == null || v.isNull()) return dflt;
    if (!v.canConvertToInt() || !v.isIntegralNumber() || v.intValue() < 1 || v.intValue() > max) {
      throw McpError.invalidParams(name + " must be an integer from 1 to " + max);
    }
    return v.intValue();
  }

  private static ToolResult samplingResult(ClientResponse r) {
    if (r.unsupported()) return ToolResult.error("The client does not support sampling");
    if (!r.ok()) return ToolResult.error("Sampling failed: " + (r.timedOut() ? "timeout" : Json.write(r.error())));
    return ToolResult.text("LLM response: " + r.result().path("content").path("text").asText());
  }

  private static String action(ElicitResult r) {
    return r.action().name().toLowerCase(java.util.Locale.ROOT);
  }

  private static String content(ElicitResult r) {
    return r.content() == null ? "{}" : Json.write(r.content());
  }

  private static <T> CompletionStage<T> done(T value) {
    return CompletableFuture.completedFuture(value);
  }

  private static CompletionStage<Void> later(long millis, Runnable action) {
    Executor delayed = CompletableFuture.delayedExecutor(millis, TimeUnit.MILLISECONDS);
    return CompletableFuture.runAsync(action, delayed);
  }
}
