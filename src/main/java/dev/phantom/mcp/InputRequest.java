package dev.phantom.mcp;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Objects;

/**
 * One question a handler asks the client while it serves a request: a form or URL elicitation, a
 * sampling request, or a roots listing. The handler asks by failing with {@link InputRequired}; the
 * server turns the question into what the request's protocol era offers (a real server-to-client
 * request on a 2025-11-25 session, an {@code input_required} result on the 2026-07-28 wire) and calls
 * the handler again with the answers in {@link RequestContext#inputResponses()}.
 *
 * <pre>{@code
 * InputRequest.elicitForm("What is your name?",
 *     Json.parseObject("{\"type\":\"object\",\"properties\":{\"name\":{\"type\":\"string\"}},\"required\":[\"name\"]}"))
 * }</pre>
 *
 * @param method the client method: {@code elicitation/create}, {@code sampling/createMessage} or {@code roots/list}
 * @param params its parameters, as the client receives them
 * @param capability the client capability it needs, as a {@code ClientCapabilities} object (e.g. {@code {"sampling":{}}})
 */
public record InputRequest(String method, ObjectNode params, ObjectNode capability) {
  public InputRequest {
    Objects.requireNonNull(method, "method");
    params = params == null ? Json.object() : params;
    Objects.requireNonNull(capability, "capability");
  }

  /** A form elicitation ({@code elicitation/create}, mode form); needs the {@code elicitation} (form) capability. */
  public static InputRequest elicitForm(String message, ObjectNode requestedSchema) {
    ObjectNode params = Json.object().put("mode", "form").put("message", message);
    params.set("requestedSchema", requestedSchema);
    return new InputRequest("elicitation/create", params, capability("elicitation", "form"));
  }

  /**
   * A URL elicitation ({@code elicitation/create}, mode url); needs the {@code elicitation.url}
   * capability. On a 2025-11-25 session it carries a fresh {@code elicitationId}; the 2026-07-28 wire has none.
   */
  public static InputRequest elicitUrl(String message, String url) {
    ObjectNode params = Json.object().put("mode", "url").put("message", message).put("url", url);
    return new InputRequest("elicitation/create", params, capability("elicitation", "url"));
  }

  /** A sampling request ({@code sampling/createMessage}) with the given parameters; needs {@code sampling}. */
  public static InputRequest createMessage(ObjectNode params) {
    return new InputRequest("sampling/createMessage", params, capability("sampling", null));
  }

  /** A roots listing ({@code roots/list}); needs {@code roots}. */
  public static InputRequest listRoots() {
    return new InputRequest("roots/list", Json.object(), capability("roots", null));
  }

  /** Whether a client that declared {@code declared} (its {@code ClientCapabilities}) can answer this request. */
  public boolean declaredBy(ObjectNode declared) {
    String name = capability.fieldNames().next();
    if (!declared.has(name) || !declared.get(name).isObject()) return false;
    if (!name.equals("elicitation")) return true;
    ObjectNode elicitation = (ObjectNode) declared.get(name);
    boolean url = capability.path(name).has("url");
    // An empty elicitation capability means form mode only.
    return url ? elicitation.has("url") : elicitation.isEmpty() || elicitation.has("form");
  }

  private static ObjectNode capability(String name, String mode) {
    ObjectNode out = Json.object();
    ObjectNode inner = out.putObject(name);
    if (mode != null) inner.putObject(mode);
    return out;
  }
}
