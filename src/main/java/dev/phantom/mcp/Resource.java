package dev.phantom.mcp;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletionStage;

/**
 * A concrete resource the server lists and reads.
 *
 * <pre>{@code
 * Resource readme = new Resource("file:///README.md", "README", null, "The readme", "text/markdown",
 *     (uri, ctx) -> CompletableFuture.completedFuture(List.of(ResourceContents.text(uri, "text/markdown", text))));
 * }</pre>
 */
public record Resource(String uri, String name, String title, String description, String mimeType, Reader reader) {

  @FunctionalInterface
  public interface Reader {
    CompletionStage<List<ResourceContents>> read(String uri, RequestContext context);
  }

  public Resource {
    Objects.requireNonNull(uri, "uri");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(reader, "reader");
  }

  public ObjectNode toJson() {
    ObjectNode out = Json.object().put("uri", uri).put("name", name);
    if (title != null) out.put("title", title);
    if (description != null) out.put("description", description);
    if (mimeType != null) out.put("mimeType", mimeType);
    return out;
  }
}
