package dev.phantom.stateless;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The {@code x-mcp-header} annotations of a tool's {@code inputSchema} (2026-07-28): a property whose schema
 * carries {@code "x-mcp-header": "Region"} is mirrored by the client into the request header {@code
 * Mcp-Param-Region}, so that intermediaries can route on it without parsing the body.
 *
 * <p>{@link #of} lists the annotations the server checks requests against ({@link WireHeaders}); {@link
 * #problems} says what makes a tool definition invalid, for checking a server's own tools when they are
 * registered (clients drop a tool with an invalid annotation from {@code tools/list}).
 */
public final class ParamHeaders {
  public static final String KEYWORD = "x-mcp-header";
  public static final String HEADER_PREFIX = "Mcp-Param-";

  /** Keywords whose value is one subschema (or, for {@code items}, also an array of them). */
  private static final Set<String> SUBSCHEMA = Set.of("items", "additionalItems", "additionalProperties",
      "unevaluatedProperties", "unevaluatedItems", "contains", "propertyNames", "not", "if", "then", "else");
  /** Keywords whose value is an array of subschemas. */
  private static final Set<String> SUBSCHEMA_ARRAYS = Set.of("allOf", "anyOf", "oneOf", "prefixItems");
  /** Keywords whose value maps names to subschemas (other than {@code properties}). */
  private static final Set<String> SUBSCHEMA_MAPS =
      Set.of("patternProperties", "$defs", "definitions", "dependentSchemas");
  private static final Set<String> PRIMITIVE_TYPES = Set.of("string", "integer", "boolean");
  private static final String TCHAR_SYMBOLS = "!#$%&'*+-.^_`|~";

  private ParamHeaders() {}

  /**
   * One annotated property.
   *
   * @param path the chain of {@code properties} keys from the schema root to the property
   * @param name the {@code x-mcp-header} value: the header is {@code Mcp-Param-<name>}
   */
  public record Annotation(List<String> path, String name) {
    public Annotation {
      path = List.copyOf(path);
    }

    /** {@code Mcp-Param-<name>}, as declared (header names compare case-insensitively). */
    public String headerName() {
      return HEADER_PREFIX + name;
    }

    /**
     * The value at {@link #path} in the call's {@code arguments}; empty when there is none: the property is
     * missing or {@code null}, or something on the way is not an object. Then the client sends no header.
     */
    public Optional<JsonNode> valueIn(JsonNode arguments) {
      JsonNode node = arguments;
      for (String key : path) {
        if (node == null || !node.isObject()) return Optional.empty();
        node = node.get(key);
      }
      return node == null || node.isNull() ? Optional.empty() : Optional.of(node);
    }

    /** The path as {@code arguments.a.b}, for messages. */
    public String where() {
      return "arguments." + String.join(".", path);
    }
  }

  /**
   * The annotations on properties reachable from the root through {@code properties} keys alone (the only
   * place the annotation is valid), in schema order, nested objects after their parent property. A
   * non-string {@code x-mcp-header} is skipped. Empty for a missing or non-object schema.
   */
  public static List<Annotation> of(JsonNode inputSchema) {
    List<Annotation> out = new ArrayList<>();
    collect(inputSchema, List.of(), out);
    return out;
  }

  private static void collect(JsonNode schema, List<String> path, List<Annotation> out) {
    JsonNode properties = schema == null ? null : schema.get("properties");
    if (properties == null || !properties.isObject()) return;
    for (Iterator<Map.Entry<String, JsonNode>> it = properties.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> property = it.next();
      if (!property.getValue().isObject()) continue;
      List<String> at = new ArrayList<>(path);
      at.add(property.getKey());
      JsonNode name = property.getValue().get(KEYWORD);
      if (name != null && name.isTextual()) out.add(new Annotation(at, name.asText()));
      collect(property.getValue(), at, out);
    }
  }

  /**
   * What makes the definition invalid under the 2026-07-28 rules for {@code x-mcp-header}; empty when valid.
   * A value must be a non-empty HTTP token ({@code 1*tchar}: letters, digits and {@code !#$%&'*+-.^_`|~},
   * hence no space, colon, control or non-ASCII character), case-insensitively unique in the schema, on a
   * property of type {@code string}, {@code integer} or {@code boolean} (not {@code number}), reachable from
   * the root through {@code properties} keys alone (not under {@code items}, {@code allOf}/{@code anyOf}/
   * {@code oneOf}/{@code not}, {@code if}/{@code then}/{@code else}, {@code $defs}, nor on the root itself).
   */
  public static List<String> problems(JsonNode inputSchema) {
    List<String> problems = new ArrayList<>();
    Map<String, String> seen = new HashMap<>();
    scan(inputSchema, "", true, false, seen, problems);
    return problems;
  }

  /**
   * @param onChain the schema was reached from the root through {@code properties} keys alone
   * @param isProperty the schema is the value of a {@code properties} key
   */
  private static void scan(JsonNode schema, String pointer, boolean onChain, boolean isProperty,
      Map<String, String> seen, List<String> problems) {
    if (schema == null || !schema.isObject()) return;
    JsonNode annotation = schema.get(KEYWORD);
    if (annotation != null) {
      String at = pointer.isEmpty() ? "the schema root" : pointer;
      if (!onChain || !isProperty) {
        problems.add(KEYWORD + " at " + at + " is not on a property reachable through properties alone");
      } else {
        checkAnnotation(schema, annotation, at, seen, problems);
      }
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = schema.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String keyword = e.getKey();
      JsonNode value = e.getValue();
      String here = pointer + "/" + escape(keyword);
      if (keyword.equals("properties") || SUBSCHEMA_MAPS.contains(keyword)) {
        boolean isProperties = keyword.equals("properties");
        for (Iterator<Map.Entry<String, JsonNode>> sub = value.fields(); sub.hasNext(); ) {
          Map.Entry<String, JsonNode> s = sub.next();
          scan(s.getValue(), here + "/" + escape(s.getKey()), onChain && isProperties, isProperties, seen, problems);
        }
      } else if (SUBSCHEMA.contains(keyword) || SUBSCHEMA_ARRAYS.contains(keyword)) {
        if (value.isArray()) {
          for (int i = 0; i < value.size(); i++) scan(value.get(i), here + "/" + i, false, false, seen, problems);
        } else {
          scan(value, here, false, false, seen, problems);
        }
      }
    }
  }

  private static void checkAnnotation(JsonNode schema, JsonNode annotation, String at, Map<String, String> seen,
      List<String> problems) {
    if (!annotation.isTextual()) {
      problems.add(KEYWORD + " at " + at + " must be a string");
      return;
    }
    String name = annotation.asText();
    if (name.isEmpty()) {
      problems.add(KEYWORD + " at " + at + " must not be empty");
    } else if (!isToken(name)) {
      problems.add(KEYWORD + " '" + name + "' at " + at
          + " is not an HTTP token (letters, digits and " + TCHAR_SYMBOLS + " only)");
    } else {
      String earlier = seen.putIfAbsent(name.toLowerCase(Locale.ROOT), at);
      if (earlier != null) {
        problems.add(KEYWORD + " '" + name + "' at " + at + " repeats the one at " + earlier
            + " (header names are case-insensitive)");
      }
    }
    JsonNode type = schema.get("type");
    if (type == null || !type.isTextual() || !PRIMITIVE_TYPES.contains(type.asText())) {
      problems.add(KEYWORD + " at " + at + " is on a property of type " + (type == null ? "(none)" : type)
          + "; only string, integer and boolean properties may be mirrored");
    }
  }

  /** RFC 9110 {@code token = 1*tchar}. */
  static boolean isToken(String s) {
    if (s.isEmpty()) return false;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
      if (!alnum && TCHAR_SYMBOLS.indexOf(c) < 0) return false;
    }
    return true;
  }

  /** A JSON Pointer reference token (RFC 6901). */
  private static String escape(String key) {
    return key.replace("~", "~0").replace("/", "~1");
  }
}
