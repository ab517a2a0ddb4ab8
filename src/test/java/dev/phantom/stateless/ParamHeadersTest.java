package dev.phantom.stateless;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.phantom.mcp.Json;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ParamHeadersTest {
  private static List<String> problems(String schema) {
    return ParamHeaders.problems(Json.parseObject(schema));
  }

  /** A schema with one property {@code p} of this JSON schema. */
  private static List<String> problemsOf(String property) {
    return problems("{\"type\": \"object\", \"properties\": {\"p\": " + property + "}}");
  }

  private static void oneProblem(List<String> problems, String mentioning) {
    assertEquals(1, problems.size(), problems::toString);
    assertTrue(problems.get(0).contains(mentioning), () -> problems.get(0) + " should mention " + mentioning);
  }

  @Test
  void listsReachableAnnotationsWithTheirPaths() {
    List<ParamHeaders.Annotation> all = ParamHeaders.of(Json.parseObject("""
        {"type": "object", "properties": {
          "region": {"type": "string", "x-mcp-header": "Region"},
          "query": {"type": "string"},
          "target": {"type": "object", "x-other": 1, "properties": {
            "zone": {"type": "string", "x-mcp-header": "Zone"}}},
          "list": {"type": "array", "items": {"type": "string", "x-mcp-header": "Item"}},
          "bad": {"type": "string", "x-mcp-header": 3}},
         "$defs": {"d": {"type": "string", "x-mcp-header": "Def"}}}"""));
    assertEquals(List.of(new ParamHeaders.Annotation(List.of("region"), "Region"),
        new ParamHeaders.Annotation(List.of("target", "zone"), "Zone")), all);
    assertEquals("Mcp-Param-Zone", all.get(1).headerName());
    assertEquals("arguments.target.zone", all.get(1).where());
    assertEquals(List.of(), ParamHeaders.of(null));
    assertEquals(List.of(), ParamHeaders.of(Json.parseObject("{\"type\": \"object\"}")));
  }

  @Test
  void findsTheValueAtThePath() {
    ParamHeaders.Annotation zone = new ParamHeaders.Annotation(List.of("target", "zone"), "Zone");
    JsonNode args = Json.parseObject("{\"target\": {\"zone\": \"a\"}}");
    assertEquals("a", zone.valueIn(args).orElseThrow().asText());
    assertEquals(Optional.empty(), zone.valueIn(Json.parseObject("{\"target\": {\"zone\": null}}")));
    assertEquals(Optional.empty(), zone.valueIn(Json.parseObject("{\"target\": 1}")));
    assertEquals(Optional.empty(), zone.valueIn(Json.object()));
    assertEquals(Optional.empty(), zone.valueIn(null));
  }

  @Test
  void theConformanceToolDefinitionsAreValid() {
    assertEquals(List.of(), problems("""
        {"type": "object", "properties": {
          "region": {"type": "string", "x-mcp-header": "Region"},
          "priority": {"type": "integer", "x-mcp-header": "Priority"},
          "verbose": {"type": "boolean", "x-mcp-header": "Verbose"},
          "method_val": {"type": "string", "x-mcp-header": "Method"},
          "float_val": {"type": "number"},
          "x-mcp-header": {"type": "string"},
          "target": {"type": "object", "properties": {"zone": {"type": "string", "x-mcp-header": "Zone"}}},
          "query": {"type": "string"}},
         "required": ["region", "priority", "query"]}"""));
    assertEquals(List.of(), problemsOf("{\"type\": \"string\", \"x-mcp-header\": \"A1!#$%&'*+-.^_`|~\"}"));
  }

  @Test
  void aNameMustBeANonEmptyToken() {
    oneProblem(problemsOf("{\"type\": \"string\", \"x-mcp-header\": \"\"}"), "must not be empty");
    oneProblem(problemsOf("{\"type\": \"string\", \"x-mcp-header\": \"My Region\"}"), "'My Region'");
    oneProblem(problemsOf("{\"type\": \"string\", \"x-mcp-header\": \"Region:Primary\"}"), "not an HTTP token");
    oneProblem(problemsOf("{\"type\": \"string\", \"x-mcp-header\": \"Région\"}"), "not an HTTP token");
    oneProblem(problemsOf("{\"type\": \"string\", \"x-mcp-header\": \"Region\\t1\"}"), "not an HTTP token");
    oneProblem(problemsOf("{\"type\": \"string\", \"x-mcp-header\": \"Region\\r\\n\"}"), "not an HTTP token");
    oneProblem(problemsOf("{\"type\": \"string\", \"x-mcp-header\": \"(a)\"}"), "not an HTTP token");
    oneProblem(problemsOf("{\"type\": \"string\", \"x-mcp-header\": true}"), "must be a string");
  }

  @Test
  void namesAreUniqueIgnoringCase() {
    oneProblem(problems("""
        {"type": "object", "properties": {
          "field1": {"type": "string", "x-mcp-header": "Region"},
          "field2": {"type": "string", "x-mcp-header": "Region"}}}"""), "repeats the one at /properties/field1");
    oneProblem(problems("""
        {"type": "object", "properties": {
          "field1": {"type": "string", "x-mcp-header": "MyField"},
          "nested": {"type": "object", "properties": {"field2": {"type": "string", "x-mcp-header": "myfield"}}}}}"""),
        "case-insensitive");
  }

  @Test
  void onlyStringIntegerAndBooleanPropertiesMayBeMirrored() {
    for (String type : List.of("\"object\"", "\"array\"", "\"null\"", "\"number\"", "[\"string\", \"null\"]")) {
      oneProblem(problemsOf("{\"type\": " + type + ", \"x-mcp-header\": \"P\"}"), "only string, integer and boolean");
    }
    oneProblem(problemsOf("{\"x-mcp-header\": \"P\"}"), "type (none)");
  }

  @Test
  void anAnnotationMustBeReachableThroughPropertiesAlone() {
    oneProblem(problems("{\"type\": \"object\", \"x-mcp-header\": \"Root\"}"), "the schema root");
    oneProblem(problemsOf("{\"type\": \"array\", \"items\": {\"type\": \"string\", \"x-mcp-header\": \"I\"}}"),
        "/properties/p/items");
    oneProblem(problemsOf("{\"type\": \"array\", \"prefixItems\": [{\"type\": \"string\", \"x-mcp-header\": \"I\"}]}"),
        "/properties/p/prefixItems/0");
    oneProblem(problems("{\"anyOf\": [{\"properties\": {\"a\": {\"type\": \"string\", \"x-mcp-header\": \"A\"}}}]}"),
        "/anyOf/0/properties/a");
    oneProblem(problems("{\"if\": {\"properties\": {\"a\": {\"type\": \"string\", \"x-mcp-header\": \"A\"}}}}"),
        "/if/properties/a");
    oneProblem(problems("{\"$defs\": {\"a/b\": {\"type\": \"string\", \"x-mcp-header\": \"A\"}}}"), "/$defs/a~1b");
    oneProblem(problems("""
        {"type": "object", "properties": {"o": {"type": "object",
          "additionalProperties": {"type": "string", "x-mcp-header": "A"}}}}"""), "additionalProperties");
    assertEquals(List.of(), problems("{\"properties\": {\"p\": {\"$ref\": \"#/$defs/d\"}},"
        + " \"$defs\": {\"d\": {\"type\": \"string\"}}}"));
  }
}
