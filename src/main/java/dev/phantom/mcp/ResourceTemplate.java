package dev.phantom.mcp;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A family of resources named by an RFC 6570 URI template (simple {@code {var}} expressions), matched
 * on {@code resources/read}.
 *
 * <pre>{@code
 * new ResourceTemplate("test://template/{id}/data", "data", null, null, "application/json",
 *     (uri, vars, ctx) -> CompletableFuture.completedFuture(
 *         List.of(ResourceContents.text(uri, "application/json", "{\"id\":\"" + vars.get("id") + "\"}"))));
 * }</pre>
 */
public record ResourceTemplate(
    String uriTemplate, String name, String title, String description, String mimeType, Reader reader) {

  @FunctionalInterface
  public interface Reader {
    CompletionStage<List<ResourceContents>> read(String uri, Map<String, String> variables, RequestContext context);
  }

  private static final Pattern VARIABLE = Pattern.compile("\\{([A-Za-z0-9_]+)\\}");

  public ResourceTemplate {
    Objects.requireNonNull(uriTemplate, "uriTemplate");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(reader, "reader");
  }

  /** The template's variables if {@code uri} matches it; a variable matches one or more characters other than '/'. */
  public Optional<Map<String, String>> match(String uri) {
    List<String> names = new ArrayList<>();
    StringBuilder regex = new StringBuilder("^");
    Matcher m = VARIABLE.matcher(uriTemplate);
    int last = 0;
    while (m.find()) {
      regex.append(Pattern.quote(uriTemplate.substring(last, m.start()))).append("([^/]+)");
      names.add(m.group(1));
      last = m.end();
    }
    regex.append(Pattern.quote(uriTemplate.substring(last))).append('$');
    Matcher match = Pattern.compile(regex.toString()).matcher(uri);
    if (!match.matches()) return Optional.empty();
    Map<String, String> vars = new LinkedHashMap<>();
    for (int i = 0; i < names.size(); i++) vars.put(names.get(i), match.group(i + 1));
    return Optional.of(vars);
  }

  public ObjectNode toJson() {
    ObjectNode out = Json.object().put("uriTemplate", uriTemplate).put("name", name);
    if (title != null) out.put("title", title);
    if (description != null) out.put("description", description);
    if (mimeType != null) out.put("mimeType", mimeType);
    return out;
  }
}
