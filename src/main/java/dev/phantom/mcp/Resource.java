package dev.phantom.mcp;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletionStage;

/**
 * A concrete resource the server lists and reads.
 *
 * <pre>{@code
 * Resource readme = Resource.builder("file:///README.md", "README")
 *     .description("The readme")
 *     .mimeType("text/markdown")
 *     .syncReader((uri, ctx) -> List.of(ResourceContents.text(uri, "text/markdown", text)))
 *     .build();
 * }</pre>
 */
public record Resource(String uri, String name, String title, String description, String mimeType, Reader reader) {

  @FunctionalInterface
  public interface Reader {
    CompletionStage<List<ResourceContents>> read(String uri, RequestContext context);
  }

  /** A reader that returns the contents directly. */
  @FunctionalInterface
  public interface SyncReader {
    List<ResourceContents> read(String uri, RequestContext context);
  }

  /** A resource named {@code name} at {@code uri}; give it a reader before {@link Builder#build()}. */
  public static Builder builder(String uri, String name) {
    return new Builder(uri, name);
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

  public static final class Builder {
    private final String uri;
    private final String name;
    private String title;
    private String description;
    private String mimeType;
    private Reader reader;

    private Builder(String uri, String name) {
      this.uri = uri;
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

    public Builder mimeType(String mimeType) {
      this.mimeType = mimeType;
      return this;
    }

    /** An asynchronous reader. */
    public Builder reader(Reader reader) {
      this.reader = reader;
      return this;
    }

    /** A reader that returns the contents without a {@code CompletionStage}. */
    public Builder syncReader(SyncReader reader) {
      Objects.requireNonNull(reader, "reader");
      this.reader = (uri, ctx) -> java.util.concurrent.CompletableFuture.completedFuture(reader.read(uri, ctx));
      return this;
    }

    public Resource build() {
      return new Resource(uri, name, title, description, mimeType, reader);
    }
  }
}
