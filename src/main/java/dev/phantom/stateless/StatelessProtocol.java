package dev.phantom.stateless;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.phantom.mcp.ConnectHook;
import dev.phantom.mcp.InputRounds;
import dev.phantom.mcp.Json;
import dev.phantom.mcp.LogLevel;
import dev.phantom.mcp.McpDispatcher;
import dev.phantom.mcp.McpError;
import dev.phantom.mcp.SessionOps;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.stream.Stream;

/**
 * The protocol of MCP 2026-07-28 on top of the era-neutral {@link McpDispatcher}: which methods exist,
 * {@code server/discover}, the result envelope ({@code resultType}, {@code ttlMs}/{@code cacheScope},
 * server info), the MRTR rounds of a request (opened from and sealed into {@code requestState}), and the
 * error codes of this revision. Transport-free and stateless: any node serves any request alone.
 *
 * <pre>{@code
 * StatelessProtocol protocol = new StatelessProtocol(dispatcher, seal, Duration.ofSeconds(30), Duration.ofHours(1));
 * protocol.serve("tools/call", params, allow, context).thenApply(result -> ...);
 * }</pre>
 */
public final class StatelessProtocol {
  /** The revisions served statelessly. */
  public static final List<String> MODERN_VERSIONS = List.of("2026-07-28");
  /** Every revision this endpoint serves, newest first (the modern ones statelessly, the rest with sessions). */
  public static final List<String> ALL_VERSIONS =
      Stream.concat(MODERN_VERSIONS.stream(), McpDispatcher.SUPPORTED_VERSIONS.stream()).toList();

  private static final Set<String> CACHEABLE =
      Set.of("tools/list", "prompts/list", "resources/list", "resources/templates/list", "resources/read", "server/discover");
  private static final Set<String> METHODS = Set.of("server/discover", "tools/list", "tools/call", "prompts/list",
      "prompts/get", "resources/list", "resources/templates/list", "resources/read", "completion/complete",
      "subscriptions/listen");

  private static final SessionOps NO_SESSION = new SessionOps() {
    public CompletionStage<Void> setLogLevel(LogLevel level) {
      throw McpError.methodNotFound("logging/setLevel");
    }

    public CompletionStage<Void> subscribe(String uri) {
      throw McpError.methodNotFound("resources/subscribe");
    }

    public CompletionStage<Void> unsubscribe(String uri) {
      throw McpError.methodNotFound("resources/unsubscribe");
    }
  };

  private final McpDispatcher dispatcher;
  private final StateSeal seal;
  private final Duration listTtl;
  private final Duration discoverTtl;

  public StatelessProtocol(McpDispatcher dispatcher, StateSeal seal, Duration listTtl, Duration discoverTtl) {
    this.dispatcher = dispatcher;
    this.seal = seal;
    this.listTtl = listTtl;
    this.discoverTtl = discoverTtl;
  }

  /** Whether {@code method} exists in this revision (else 404 / -32601, removed methods included). */
  public static boolean exists(String method) {
    return METHODS.contains(method);
  }

  /**
   * Serves one request (not {@code subscriptions/listen}, which is a stream); completes with the
   * result, every field of this revision in place, or fails with an {@link McpError}.
   */
  public CompletionStage<JsonNode> serve(String method, ObjectNode params, ConnectHook.Allow allow, StatelessContext ctx) {
    try {
      if (!exists(method) || method.equals("subscriptions/listen")) throw McpError.methodNotFound(method);
      CompletionStage<JsonNode> result = method.equals("server/discover")
          ? CompletableFuture.completedFuture(discoverResult())
          : dispatcher.dispatch(method, params, NO_SESSION, ctx, allow.allowList(), rounds(method, params, ctx));
      String scope = ConnectHook.AllowList.ALL.equals(allow.allowList()) ? "public" : "private";
      return result.handle((json, failure) -> {
        if (failure != null) throw translate(McpDispatcher.unwrap(failure));
        return decorate(method, (ObjectNode) json, scope);
      });
    } catch (McpError e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /** The {@code server/discover} result (without the envelope fields {@link #decorate} adds). */
  public ObjectNode discoverResult() {
    ObjectNode init = dispatcher.initializeResult(MODERN_VERSIONS.get(0));
    ObjectNode result = Json.object();
    ArrayNode versions = result.putArray("supportedVersions");
    ALL_VERSIONS.forEach(versions::add);
    ObjectNode capabilities = init.with("capabilities").deepCopy();
    // No resources/subscribe and no logging/setLevel in this revision: updates come through listen, the
    // log level with each request.
    ((ObjectNode) capabilities.with("resources")).remove("subscribe");
    capabilities.remove("logging");
    result.set("capabilities", capabilities);
    if (init.has("instructions")) result.set("instructions", init.get("instructions"));
    return result;
  }

  /** The MRTR mode of a request: the round its retry carries, and how the next one is sealed. */
  private InputRounds.Mode rounds(String method, ObjectNode params, StatelessContext ctx) {
    String principal = ctx.principal().orElse(null);
    return new InputRounds.Return(firstRound(method, params, principal),
        round -> seal.seal(round, method, params, principal));
  }

  private InputRounds.Round firstRound(String method, ObjectNode params, String principal) {
    JsonNode responses = params.get("inputResponses");
    JsonNode state = params.get("requestState");
    Map<String, JsonNode> answers = new LinkedHashMap<>();
    if (responses != null) {
      if (!responses.isObject()) throw McpError.invalidParams("\"inputResponses\" must be an object of answers by key");
      responses.fields().forEachRemaining(e -> {
        if (!e.getValue().isObject()) throw McpError.invalidParams("\"inputResponses." + e.getKey() + "\" must be an object (the client's result)");
        answers.put(e.getKey(), e.getValue());
      });
    }
    if (state != null && !state.isNull()) {
      if (!state.isTextual()) throw McpError.invalidParams("\"requestState\" must be the string the server sent");
      return seal.open(state.textValue(), method, params, principal).answered(answers);
    }
    // Answers without a state (the client answered a question it was asked without one): the handler
    // looks only at the keys it asks for.
    return new InputRounds.Round(Map.of(), null, answers.keySet()).answered(answers);
  }

  /** {@code resultType}, caching hints where this revision requires them, and the server's info. */
  private ObjectNode decorate(String method, ObjectNode result, String scope) {
    if (!result.has("resultType")) result.put("resultType", "complete");
    boolean complete = result.path("resultType").asText().equals("complete");
    if (complete && CACHEABLE.contains(method)) {
      long ttl = method.equals("server/discover") ? discoverTtl.toMillis() : method.equals("resources/read") ? 0 : listTtl.toMillis();
      result.put("ttlMs", ttl).put("cacheScope", method.equals("server/discover") ? "public" : scope);
    }
    ObjectNode meta = result.with("_meta");
    ObjectNode info = meta.putObject("io.modelcontextprotocol/serverInfo")
        .put("name", dispatcher.server().name()).put("version", dispatcher.server().version());
    dispatcher.server().title().ifPresent(t -> info.put("title", t));
    return result;
  }

  /** This revision's codes: a resource that does not exist is -32602 with its URI (was -32002). */
  private static RuntimeException translate(Throwable cause) {
    if (cause instanceof McpError e && e.code() == McpError.RESOURCE_NOT_FOUND) {
      return new McpError(McpError.INVALID_PARAMS, e.getMessage(), e.data());
    }
    return cause instanceof RuntimeException r ? r : new java.util.concurrent.CompletionException(cause);
  }
}
