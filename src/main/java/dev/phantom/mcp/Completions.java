package dev.phantom.mcp;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;

/**
 * Argument completion ({@code completion/complete}).
 *
 * <pre>{@code
 * Completions cities = (ref, arg, value, context, ctx) -> CompletableFuture.completedFuture(
 *     Completions.Result.of(CITIES.stream().filter(c -> c.startsWith(value)).toList()));
 * }</pre>
 */
@FunctionalInterface
public interface Completions {

  /**
   * @param ref {@code {"type":"ref/prompt","name":..}} or {@code {"type":"ref/resource","uri":..}}
   * @param argument the argument being completed
   * @param value what the user typed so far
   * @param contextArguments arguments already filled in
   */
  CompletionStage<Result> complete(
      ObjectNode ref, String argument, String value, Map<String, String> contextArguments, RequestContext context);

  Completions NONE = (ref, argument, value, args, ctx) -> java.util.concurrent.CompletableFuture.completedFuture(
      Result.of(List.of()));

  record Result(List<String> values, Integer total, boolean hasMore) {
    public static Result of(List<String> values) {
      List<String> first = values.size() > 100 ? values.subList(0, 100) : values;
      return new Result(List.copyOf(first), values.size(), values.size() > 100);
    }

    public ObjectNode toJson() {
      ObjectNode completion = Json.object();
      ArrayNode items = completion.putArray("values");
      values.forEach(items::add);
      if (total != null) completion.put("total", total);
      completion.put("hasMore", hasMore);
      ObjectNode out = Json.object();
      out.set("completion", completion);
      return out;
    }
  }
}
