package dev.phantom.mcp;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletionStage;

/**
 * A prompt template the server offers.
 *
 * <pre>{@code
 * Prompt greet = Prompt.builder("greet")
 *     .description("Greets someone")
 *     .argument("name", "Who to greet", true)
 *     .handler((args, ctx) -> CompletableFuture.completedFuture(
 *         Prompt.Result.of(Prompt.Message.user(Content.text("Say hello to " + args.get("name"))))))
 *     .build();
 * }</pre>
 */
public record Prompt(String name, String title, String description, List<Argument> arguments, Handler handler) {

  /** Builds the prompt's messages; required arguments are checked before it runs. */
  @FunctionalInterface
  public interface Handler {
    CompletionStage<Result> get(Map<String, String> arguments, RequestContext context);
  }

  public record Argument(String name, String description, boolean required) {}

  public record Message(String role, Content content) {
    public static Message user(Content content) {
      return new Message("user", content);
    }

    public static Message assistant(Content content) {
      return new Message("assistant", content);
    }

    public ObjectNode toJson() {
      ObjectNode out = Json.object().put("role", role);
      out.set("content", content.toJson());
      return out;
    }
  }

  public record Result(String description, List<Message> messages) {
    public static Result of(Message... messages) {
      return new Result(null, List.of(messages));
    }

    public ObjectNode toJson() {
      ObjectNode out = Json.object();
      if (description != null) out.put("description", description);
      ArrayNode items = out.putArray("messages");
      for (Message m : messages) items.add(m.toJson());
      return out;
    }
  }

  public Prompt {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(handler, "handler");
    arguments = List.copyOf(arguments);
  }

  /** A prompt handler that returns its result directly. */
  @FunctionalInterface
  public interface SyncHandler {
    Result get(Map<String, String> arguments, RequestContext context);
  }

  public static Builder builder(String name) {
    return new Builder(name);
  }

  public ObjectNode toJson() {
    ObjectNode out = Json.object().put("name", name);
    if (title != null) out.put("title", title);
    if (description != null) out.put("description", description);
    if (!arguments.isEmpty()) {
      ArrayNode args = out.putArray("arguments");
      for (Argument a : arguments) {
        ObjectNode arg = args.addObject().put("name", a.name());
        if (a.description() != null) arg.put("description", a.description());
        arg.put("required", a.required());
      }
    }
    return out;
  }

  public static final class Builder {
    private final String name;
    private String title;
    private String description;
    private final List<Argument> arguments = new ArrayList<>();
    private Handler handler;

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

    public Builder argument(String name, String description, boolean required) {
      arguments.add(new Argument(name, description, required));
      return this;
    }

    /** A handler that returns its result without a {@code CompletionStage}. */
    public Builder syncHandler(SyncHandler handler) {
      java.util.Objects.requireNonNull(handler, "handler");
      return handler((args, ctx) -> java.util.concurrent.CompletableFuture.completedFuture(handler.get(args, ctx)));
    }

    public Builder handler(Handler handler) {
      this.handler = handler;
      return this;
    }

    public Prompt build() {
      return new Prompt(name, title, description, arguments, handler);
    }
  }
}
