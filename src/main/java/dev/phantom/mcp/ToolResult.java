package dev.phantom.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * The result of a {@code tools/call}. A tool that fails in its own terms (bad input, a failed
 * operation) returns {@link #error(String)} — a result with {@code isError: true} — rather than a
 * JSON-RPC error, as the spec asks.
 *
 * <pre>{@code
 * return CompletableFuture.completedFuture(ToolResult.text("It is 21°C in " + city));
 * }</pre>
 */
public record ToolResult(List<Content> content, JsonNode structuredContent, boolean isError) {

  public ToolResult {
    content = List.copyOf(content);
  }

  public static ToolResult of(Content... content) {
    return new ToolResult(List.of(content), null, false);
  }

  public static ToolResult text(String text) {
    return of(Content.text(text));
  }

  public static ToolResult error(String text) {
    return new ToolResult(List.of(Content.text(text)), null, true);
  }

  /** A structured result, also serialized as a text item for clients that ignore structured content. */
  public static ToolResult structured(JsonNode structured) {
    return new ToolResult(List.of(Content.text(Json.write(structured))), structured, false);
  }

  public ObjectNode toJson() {
    ObjectNode out = Json.object();
    ArrayNode items = out.putArray("content");
    for (Content c : content) items.add(c.toJson());
    if (structuredContent != null) out.set("structuredContent", structuredContent);
    if (isError) out.put("isError", true);
    return out;
  }
}
