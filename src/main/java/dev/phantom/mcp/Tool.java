package dev.phantom.mcp;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Objects;
import java.util.concurrent.CompletionStage;
import java.util.regex.Pattern;

/**
 * A tool the server offers. Build one with {@link #builder(String)}:
 *
 * <pre>{@code
 * Tool echo = Tool.builder("echo")
 *     .description("Echoes its input")
 *     .inputSchema("{\"type\":\"object\",\"properties\":{\"text\":{\"type\":\"string\"}},\"required\":[\"text\"]}")
 *     .syncHandler((args, ctx) -> ToolResult.text(args.path("text").asText()))
 *     .build();
 * }</pre>
 *
 * <p>{@link Builder#handler} takes an asynchronous handler (returning a {@code CompletionStage}) for
 * work that waits on something.
 *
 * <p>Handlers run on the handler dispatcher ({@code phantom.mcp.handler-dispatcher}), so one that
 * blocks holds no actor or connection. A handler that never blocks and finishes in microseconds can say
 * so with {@link Builder#nonBlocking()}: it is then called on the thread that serves the request, which
 * saves two thread hand-offs per call (on a lightly loaded node, about a third of a request's CPU).
 */
public record Tool(
    String name,
    String title,
    String description,
    ObjectNode inputSchema,
    ObjectNode outputSchema,
    ObjectNode annotations,
    Handler handler,
    boolean nonBlocking) {

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]{1,128}");

  /** Runs a tool call. It runs off the actors (on the dispatcher); it may block only briefly. */
  @FunctionalInterface
  public interface Handler {
    CompletionStage<ToolResult> call(ObjectNode arguments, RequestContext context);
  }

  public Tool {
    Objects.requireNonNull(name, "name");
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("a tool name is 1-128 characters of [A-Za-z0-9_.-]: " + name);
    }
    Objects.requireNonNull(inputSchema, "inputSchema");
    Objects.requireNonNull(handler, "handler");
  }

  /**
   * A tool handler that returns its result directly, for work that completes at once:
   * {@code (args, ctx) -> ToolResult.text("hi")}. It runs on the handler dispatcher like any handler;
   * throwing {@link InputRequired} asks for input as {@link Handler}s do.
   */
  @FunctionalInterface
  public interface SyncHandler {
    ToolResult call(ObjectNode arguments, RequestContext context);
  }

  public static Builder builder(String name) {
    return new Builder(name);
  }

  /** The entry of {@code tools/list}. */
  public ObjectNode toJson() {
    ObjectNode out = Json.object().put("name", name);
    if (title != null) out.put("title", title);
    if (description != null) out.put("description", description);
    out.set("inputSchema", inputSchema.deepCopy());
    if (outputSchema != null) out.set("outputSchema", outputSchema.deepCopy());
    if (annotations != null) out.set("annotations", annotations.deepCopy());
    return out;
  }

  public static final class Builder {
    private final String name;
    private String title;
    private String description;
    private ObjectNode inputSchema = Json.parseObject("{\"type\":\"object\",\"additionalProperties\":false}");
    private ObjectNode outputSchema;
    private ObjectNode annotations;
    private Handler handler;
    private boolean nonBlocking;

    private Builder(String name) {
      this.name = name;
    }

    public Builder title(String title) {
      this.title = title;
      return this;
    }

    public Builder description(String description) {
      this.description = description;
      return this;
    }

    /** The input JSON Schema (2020-12 unless it says otherwise); default: an object with no properties. */
    public Builder inputSchema(ObjectNode schema) {
      this.inputSchema = schema;
      return this;
    }

    public Builder inputSchema(String schemaJson) {
      return inputSchema(Json.parseObject(schemaJson));
    }

    public Builder outputSchema(ObjectNode schema) {
      this.outputSchema = schema;
      return this;
    }

    public Builder annotations(ObjectNode annotations) {
      this.annotations = annotations;
      return this;
    }

    public Builder handler(Handler handler) {
      this.handler = handler;
      return this;
    }

    /** A handler that returns its result without a {@code CompletionStage}. */
    public Builder syncHandler(SyncHandler handler) {
      java.util.Objects.requireNonNull(handler, "handler");
      this.handler = (args, ctx) -> java.util.concurrent.CompletableFuture.completedFuture(handler.call(args, ctx));
      return this;
    }

    /**
     * Promises that the handler neither blocks nor runs long (no I/O, no locks held for long, no
     * waiting on a future): it is called on the thread that serves the request (an actor's or the
     * HTTP connection's) instead of on the handler dispatcher. A handler that breaks the promise
     * stalls other sessions' requests on that thread, so leave it off for anything that waits.
     * A {@link Handler} that returns an incomplete stage is fine: only the call itself runs in place.
     *
     * <pre>{@code
     * Tool.builder("echo").syncHandler((args, ctx) -> ToolResult.text(args.path("text").asText())).nonBlocking().build();
     * }</pre>
     */
    public Builder nonBlocking() {
      this.nonBlocking = true;
      return this;
    }

    public Tool build() {
      return new Tool(name, title, description, inputSchema, outputSchema, annotations, handler, nonBlocking);
    }
  }
}
