package dev.phantom.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import java.util.function.Function;

/**
 * The protocol logic of the server's side of MCP 2025-11-25: version negotiation, the capabilities, and
 * the methods a client calls, dispatched to an {@link McpServer}'s definitions. Transport-free.
 *
 * <pre>{@code
 * new McpDispatcher(server).dispatch("tools/list", params, sessionOps, ctx, ConnectHook.AllowList.ALL, mode);
 * }</pre>
 */
public final class McpDispatcher {
  public static final String LATEST_VERSION = "2025-11-25";
  public static final List<String> SUPPORTED_VERSIONS = List.of("2025-11-25", "2025-06-18", "2025-03-26");

  private final McpServer server;

  public McpDispatcher(McpServer server) {
    this.server = server;
  }

  public McpServer server() {
    return server;
  }

  /** The version to answer {@code initialize} with: the client's if we support it, else our latest. */
  public static String negotiate(String requested) {
    return SUPPORTED_VERSIONS.contains(requested) ? requested : LATEST_VERSION;
  }

  public static boolean isSupported(String version) {
    return SUPPORTED_VERSIONS.contains(version);
  }

  /** The {@code initialize} result for a negotiated version. */
  public ObjectNode initializeResult(String version) {
    ObjectNode result = Json.object().put("protocolVersion", version);
    ObjectNode caps = result.putObject("capabilities");
    caps.putObject("tools").put("listChanged", true);
    caps.putObject("prompts").put("listChanged", true);
    caps.putObject("resources").put("subscribe", true).put("listChanged", true);
    caps.putObject("logging");
    caps.putObject("completions");
    ObjectNode info = result.putObject("serverInfo").put("name", server.name()).put("version", server.version());
    server.title().ifPresent(t -> info.put("title", t));
    server.instructions().ifPresent(i -> result.put("instructions", i));
    return result;
  }

  /**
   * Whether serving {@code method} with {@code params} may block: it runs a handler of the server's
   * author (tools, prompts, resources, completions) that did not promise otherwise
   * ({@link Tool.Builder#nonBlocking()}), and so runs on the handler executor. The others (ping, lists,
   * log level, subscriptions, non-blocking tools) only read the catalogue, message the session or call
   * a handler that returns at once, and run where they are.
   */
  public boolean mayBlock(String method, JsonNode params) {
    return switch (method) {
      case "tools/call" -> {
        JsonNode name = params == null ? null : params.get("name");
        yield name == null || !name.isTextual() || server.tool(name.asText()).map(t -> !t.nonBlocking()).orElse(true);
      }
      case "prompts/get", "resources/read", "completion/complete" -> true;
      default -> false;
    };
  }

  /**
   * Runs {@code call}, the serving of {@code method}: on {@code handlers} when it may block
   * ({@link #mayBlock}), else right here (no hop to the executor and back). A call that throws is a
   * failed stage.
   *
   * @throws java.util.concurrent.RejectedExecutionException when {@code handlers} refuses the task
   */
  public <T> CompletableFuture<T> serveOn(Executor handlers, String method, JsonNode params,
      Supplier<CompletionStage<T>> call) {
    if (!mayBlock(method, params)) {
      try {
        return call.get().toCompletableFuture();
      } catch (RuntimeException e) {
        return CompletableFuture.failedFuture(e);
      }
    }
    return CompletableFuture.supplyAsync(call, handlers).thenCompose(stage -> stage);
  }

  /**
   * Runs one client request (anything but {@code initialize}). The stage fails with an {@link McpError}
   * for protocol errors; any other failure should be answered as {@link McpError#internal()}.
   */
  public CompletionStage<JsonNode> dispatch(String method, JsonNode params, SessionOps session, RequestContext ctx,
      ConnectHook.AllowList allow, InputRounds.Mode input) {
    ObjectNode p = params instanceof ObjectNode o ? o : Json.object();
    try {
      return switch (method) {
        case "ping" -> done(Json.object());
        case "tools/list" -> done(page(p, server.tools(), t -> allow.tool(t.name()), Tool::toJson, "tools"));
        case "tools/call" -> callTool(p, ctx, allow, input);
        case "prompts/list" -> done(page(p, server.prompts(), pr -> allow.prompt(pr.name()), Prompt::toJson, "prompts"));
        case "prompts/get" -> getPrompt(p, ctx, allow, input);
        case "resources/list" ->
            done(page(p, server.resources(), r -> allow.resource(r.uri()), Resource::toJson, "resources"));
        case "resources/templates/list" -> done(page(p, server.resourceTemplates(),
            t -> allow.resource(t.uriTemplate()), ResourceTemplate::toJson, "resourceTemplates"));
        case "resources/read" -> readResource(p, ctx, allow, input);
        case "resources/subscribe" -> {
          // Only what the session may read: a subscription is replicated to every node, so an arbitrary
          // string would let a client fill the cluster's index.
          String uri = requireString(p, "uri");
          if (reader(uri, allow) == null) throw McpError.resourceNotFound(uri);
          yield session.subscribe(uri).thenApply(v -> Json.object());
        }
        case "resources/unsubscribe" -> session.unsubscribe(requireString(p, "uri")).thenApply(v -> Json.object());
        case "logging/setLevel" -> {
          String level = requireString(p, "level");
          LogLevel parsed = LogLevel.parse(level).orElseThrow(() -> McpError.invalidParams("unknown log level: " + level));
          yield session.setLogLevel(parsed).thenApply(v -> Json.object());
        }
        case "completion/complete" -> complete(p, ctx);
        case "initialize" -> throw McpError.invalidRequest("the session is already initialized");
        default -> throw McpError.methodNotFound(method);
      };
    } catch (McpError e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  private CompletionStage<JsonNode> callTool(ObjectNode p, RequestContext ctx, ConnectHook.AllowList allow, InputRounds.Mode input) {
    String name = requireString(p, "name");
    Tool tool = server.tool(name).filter(t -> allow.tool(t.name()))
        .orElseThrow(() -> McpError.invalidParams("unknown tool: " + name));
    JsonNode args = p.get("arguments");
    if (args != null && !args.isObject() && !args.isNull()) throw McpError.invalidParams("\"arguments\" must be an object");
    ObjectNode arguments = args instanceof ObjectNode o ? o : Json.object();
    Optional<String> invalid = SchemaCheck.violation(tool.inputSchema(), arguments);
    if (invalid.isPresent()) return done(ToolResult.error("Invalid arguments for tool " + name + ": " + invalid.get()).toJson());
    return InputRounds.run(round -> guard(() -> tool.handler().call(arguments, round))
        .handle((result, failure) -> {
          if (failure == null) {
            if (result == null) throw new IllegalStateException("tool " + name + " returned no result");
            return (JsonNode) result.toJson();
          }
          Throwable cause = unwrap(failure);
          if (cause instanceof McpError e) throw e;
          if (cause instanceof InputRequired asked) throw asked;
          // A failing tool is a tool result with isError, not a protocol error; no stack trace leaves the server.
          return ToolResult.error("Tool " + name + " failed").toJson();
        }), ctx, input);
  }

  private CompletionStage<JsonNode> getPrompt(ObjectNode p, RequestContext ctx, ConnectHook.AllowList allow, InputRounds.Mode input) {
    String name = requireString(p, "name");
    Prompt prompt = server.prompt(name).filter(pr -> allow.prompt(pr.name()))
        .orElseThrow(() -> McpError.invalidParams("unknown prompt: " + name));
    Map<String, String> args = stringMap(p.get("arguments"), "arguments");
    for (Prompt.Argument a : prompt.arguments()) {
      if (a.required() && !args.containsKey(a.name())) throw McpError.invalidParams("missing required argument: " + a.name());
    }
    return InputRounds.run(round -> guard(() -> prompt.handler().get(args, round)).thenApply(Prompt.Result::toJson), ctx, input);
  }

  private CompletionStage<JsonNode> readResource(ObjectNode p, RequestContext ctx, ConnectHook.AllowList allow, InputRounds.Mode input) {
    String uri = requireString(p, "uri");
    Function<RequestContext, CompletionStage<List<ResourceContents>>> read = reader(uri, allow);
    if (read == null) throw McpError.resourceNotFound(uri);
    return InputRounds.run(round -> guard(() -> read.apply(round)).thenApply(McpDispatcher::contentsJson), ctx, input);
  }

  /** How to read {@code uri} (a resource, or the first template matching it) if the session may; else null. */
  private Function<RequestContext, CompletionStage<List<ResourceContents>>> reader(String uri, ConnectHook.AllowList allow) {
    Optional<Resource> resource = server.resource(uri).filter(r -> allow.resource(r.uri()));
    if (resource.isPresent()) return round -> resource.get().reader().read(uri, round);
    for (ResourceTemplate t : server.resourceTemplates()) {
      if (!allow.resource(t.uriTemplate())) continue;
      Optional<Map<String, String>> vars = t.match(uri);
      if (vars.isPresent()) return round -> t.reader().read(uri, vars.get(), round);
    }
    return null;
  }

  private static JsonNode contentsJson(List<ResourceContents> list) {
    ObjectNode out = Json.object();
    ArrayNode items = out.putArray("contents");
    for (ResourceContents c : list) items.add(c.toJson());
    return out;
  }

  private CompletionStage<JsonNode> complete(ObjectNode p, RequestContext ctx) {
    JsonNode ref = p.get("ref");
    if (!(ref instanceof ObjectNode refObject)) throw McpError.invalidParams("\"ref\" must be an object");
    String type = refObject.path("type").asText();
    if (type.equals("ref/prompt")) {
      String name = refObject.path("name").asText();
      if (server.prompt(name).isEmpty()) throw McpError.invalidParams("unknown prompt: " + name);
    } else if (!type.equals("ref/resource")) {
      throw McpError.invalidParams("\"ref.type\" must be ref/prompt or ref/resource");
    }
    JsonNode argument = p.get("argument");
    if (argument == null || !argument.path("name").isTextual()) throw McpError.invalidParams("\"argument.name\" is required");
    Map<String, String> context = stringMap(p.path("context").get("arguments"), "context.arguments");
    return guard(() -> server.completions().complete(refObject, argument.path("name").asText(),
        argument.path("value").asText(""), context, ctx)).thenApply(Completions.Result::toJson);
  }

  // ---- pagination: the cursor is the base64 of the next offset, valid on every node

  private <T> ObjectNode page(ObjectNode p, List<T> all, java.util.function.Predicate<T> visible,
      Function<T, ObjectNode> toJson, String field) {
    List<T> items = all.stream().filter(visible).toList();
    int offset = decodeCursor(p.get("cursor"));
    if (offset > items.size()) throw McpError.invalidParams("invalid cursor");
    int end = Math.min(items.size(), offset + server.pageSize());
    ObjectNode out = Json.object();
    ArrayNode array = out.putArray(field);
    for (T item : items.subList(offset, end)) array.add(toJson.apply(item));
    if (end < items.size()) out.put("nextCursor", encodeCursor(end));
    return out;
  }

  static String encodeCursor(int offset) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(("o:" + offset).getBytes(StandardCharsets.UTF_8));
  }

  static int decodeCursor(JsonNode cursor) {
    if (cursor == null || cursor.isNull()) return 0;
    if (!cursor.isTextual()) throw McpError.invalidParams("invalid cursor");
    try {
      String text = new String(Base64.getUrlDecoder().decode(cursor.textValue()), StandardCharsets.UTF_8);
      if (!text.startsWith("o:")) throw McpError.invalidParams("invalid cursor");
      int offset = Integer.parseInt(text.substring(2));
      if (offset < 0) throw McpError.invalidParams("invalid cursor");
      return offset;
    } catch (IllegalArgumentException e) {
      throw McpError.invalidParams("invalid cursor");
    }
  }

  // ---- helpers

  static String requireString(ObjectNode p, String field) {
    JsonNode v = p.get(field);
    if (v == null || !v.isTextual()) throw McpError.invalidParams("\"" + field + "\" must be a string");
    return v.textValue();
  }

  private static Map<String, String> stringMap(JsonNode node, String what) {
    Map<String, String> out = new LinkedHashMap<>();
    if (node == null || node.isNull()) return out;
    if (!node.isObject()) throw McpError.invalidParams("\"" + what + "\" must be an object");
    node.fields().forEachRemaining(e -> {
      if (!e.getValue().isTextual()) throw McpError.invalidParams("\"" + what + "." + e.getKey() + "\" must be a string");
      out.put(e.getKey(), e.getValue().textValue());
    });
    return out;
  }

  private static <T> CompletionStage<T> done(T value) {
    return CompletableFuture.completedFuture(value);
  }

  /** Runs user code so that a synchronous throw becomes a failed stage. */
  private static <T> CompletionStage<T> guard(java.util.function.Supplier<CompletionStage<T>> userCode) {
    try {
      CompletionStage<T> stage = userCode.get();
      return stage == null ? CompletableFuture.failedFuture(new IllegalStateException("handler returned null")) : stage;
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  public static Throwable unwrap(Throwable t) {
    Throwable cause = t;
    while ((cause instanceof CompletionException || cause instanceof java.util.concurrent.ExecutionException)
        && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause;
  }

  /** Minimal structural check of tool arguments against the input schema: required fields and basic types. */
  static final class SchemaCheck {
    private SchemaCheck() {}

    static Optional<String> violation(ObjectNode schema, ObjectNode args) {
      List<String> problems = new ArrayList<>();
      JsonNode required = schema.get("required");
      if (required != null && required.isArray()) {
        for (JsonNode r : required) if (r.isTextual() && !args.has(r.textValue())) problems.add("missing \"" + r.textValue() + "\"");
      }
      JsonNode props = schema.get("properties");
      if (props != null && props.isObject()) {
        props.fields().forEachRemaining(e -> {
          JsonNode value = args.get(e.getKey());
          String type = e.getValue().path("type").asText(null);
          if (value != null && type != null && !matches(type, value)) {
            problems.add("\"" + e.getKey() + "\" must be " + type);
          }
        });
      }
      return problems.isEmpty() ? Optional.empty() : Optional.of(String.join(", ", problems));
    }

    private static boolean matches(String type, JsonNode value) {
      return switch (type) {
        case "string" -> value.isTextual();
        case "integer" -> value.isIntegralNumber() || (value.isNumber() && value.decimalValue().stripTrailingZeros().scale() <= 0);
        case "number" -> value.isNumber();
        case "boolean" -> value.isBoolean();
        case "object" -> value.isObject();
        case "array" -> value.isArray();
        case "null" -> value.isNull();
        default -> true;
      };
    }
  }
}
