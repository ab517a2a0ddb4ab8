package dev.phantom.mcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One content item of a tool result or prompt message.
 *
 * <pre>{@code
 * ToolResult.of(Content.text("42 °C"), Content.image(pngBase64, "image/png"))
 * }</pre>
 */
public sealed interface Content {

  ObjectNode toJson();

  static Content text(String text) {
    return new Text(text);
  }

  static Content image(String base64, String mimeType) {
    return new Image(base64, mimeType);
  }

  static Content audio(String base64, String mimeType) {
    return new Audio(base64, mimeType);
  }

  static Content resource(ResourceContents contents) {
    return new EmbeddedResource(contents);
  }

  static Content resourceLink(String uri, String name, String mimeType) {
    return new ResourceLink(uri, name, mimeType);
  }

  record Text(String text) implements Content {
    public ObjectNode toJson() {
      return Json.object().put("type", "text").put("text", text);
    }
  }

  record Image(String data, String mimeType) implements Content {
    public ObjectNode toJson() {
      return Json.object().put("type", "image").put("data", data).put("mimeType", mimeType);
    }
  }

  record Audio(String data, String mimeType) implements Content {
    public ObjectNode toJson() {
      return Json.object().put("type", "audio").put("data", data).put("mimeType", mimeType);
    }
  }

  record EmbeddedResource(ResourceContents resource) implements Content {
    public ObjectNode toJson() {
      ObjectNode out = Json.object().put("type", "resource");
      out.set("resource", resource.toJson());
      return out;
    }
  }

  record ResourceLink(String uri, String name, String mimeType) implements Content {
    public ObjectNode toJson() {
      ObjectNode out = Json.object().put("type", "resource_link").put("uri", uri).put("name", name);
      if (mimeType != null) out.put("mimeType", mimeType);
      return out;
    }
  }

  /** Any other content shape, passed through as is. */
  record Raw(JsonNode json) implements Content {
    public ObjectNode toJson() {
      return (ObjectNode) json.deepCopy();
    }
  }
}
