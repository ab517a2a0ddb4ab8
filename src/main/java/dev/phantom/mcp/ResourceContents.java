package dev.phantom.mcp;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The contents of a resource as {@code resources/read} returns them: text or a base64 blob.
 *
 * <pre>{@code
 * List.of(ResourceContents.text("orders://1", "text/plain", "2 books, shipped"))
 * }</pre>
 */
public sealed interface ResourceContents {
  String uri();

  ObjectNode toJson();

  static ResourceContents text(String uri, String mimeType, String text) {
    return new Text(uri, mimeType, text);
  }

  static ResourceContents blob(String uri, String mimeType, String base64) {
    return new Blob(uri, mimeType, base64);
  }

  record Text(String uri, String mimeType, String text) implements ResourceContents {
    public ObjectNode toJson() {
      ObjectNode out = Json.object().put("uri", uri);
      if (mimeType != null) out.put("mimeType", mimeType);
      return out.put("text", text);
    }
  }

  record Blob(String uri, String mimeType, String blob) implements ResourceContents {
    public ObjectNode toJson() {
      ObjectNode out = Json.object().put("uri", uri);
      if (mimeType != null) out.put("mimeType", mimeType);
      return out.put("blob", blob);
    }
  }
}
