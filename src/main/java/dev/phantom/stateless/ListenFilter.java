package dev.phantom.stateless;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.phantom.mcp.Json;
import dev.phantom.mcp.McpError;
import dev.phantom.presence.SessionNotification;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.function.Predicate;

/**
 * What one {@code subscriptions/listen} stream asked for and will get: the list kinds and resource
 * URIs the server honours (URIs the caller may not read are left out, and so is anything the server
 * does not offer), and the test whether a notification belongs on the stream. Pure.
 *
 * <pre>{@code
 * ListenFilter f = ListenFilter.parse(params.get("notifications"), uri -> allow.resource(uri));
 * f.acknowledged();           // the "notifications" object of the acknowledgement
 * f.accepts(new SessionNotification.ListChanged(ListKind.TOOLS));
 * }</pre>
 */
public record ListenFilter(boolean tools, boolean prompts, boolean resources, Set<String> uris) {
  public ListenFilter {
    uris = Set.copyOf(uris);
  }

  /** Reads the request's {@code notifications} object; a malformed one is -32602. */
  public static ListenFilter parse(JsonNode notifications, Predicate<String> mayRead) {
    if (notifications == null || notifications.isNull()) throw McpError.invalidParams("\"notifications\" is required");
    if (!notifications.isObject()) throw McpError.invalidParams("\"notifications\" must be an object");
    boolean tools = flag(notifications, "toolsListChanged");
    boolean prompts = flag(notifications, "promptsListChanged");
    boolean resources = flag(notifications, "resourcesListChanged");
    Set<String> uris = new LinkedHashSet<>();
    JsonNode list = notifications.get("resourceSubscriptions");
    if (list != null && !list.isNull()) {
      if (!list.isArray()) throw McpError.invalidParams("\"notifications.resourceSubscriptions\" must be an array of URIs");
      for (JsonNode uri : list) {
        if (!uri.isTextual()) throw McpError.invalidParams("\"notifications.resourceSubscriptions\" must be an array of URIs");
        if (mayRead.test(uri.textValue())) uris.add(uri.textValue());
      }
    }
    return new ListenFilter(tools, prompts, resources, uris);
  }

  private static boolean flag(JsonNode notifications, String name) {
    JsonNode v = notifications.get(name);
    if (v == null || v.isNull()) return false;
    if (!v.isBoolean()) throw McpError.invalidParams("\"notifications." + name + "\" must be a boolean");
    return v.booleanValue();
  }

  /** Whether any list change is wanted. */
  public boolean anyList() {
    return tools || prompts || resources;
  }

  /** The {@code notifications} object of the acknowledgement: only what the server honours. */
  public ObjectNode acknowledged() {
    ObjectNode out = Json.object();
    if (tools) out.put("toolsListChanged", true);
    if (prompts) out.put("promptsListChanged", true);
    if (resources) out.put("resourcesListChanged", true);
    if (!uris.isEmpty()) {
      ArrayNode list = out.putArray("resourceSubscriptions");
      uris.forEach(list::add);
    }
    return out;
  }

  /** Whether {@code event} belongs on this stream. */
  public boolean accepts(SessionNotification event) {
    if (event instanceof SessionNotification.ListChanged l) {
      return switch (l.kind()) {
        case TOOLS -> tools;
        case PROMPTS -> prompts;
        case RESOURCES -> resources;
      };
    }
    if (event instanceof SessionNotification.ResourceUpdated u) return uris.contains(u.uri());
    return false;
  }
}
