package dev.phantom.session;

import akka.actor.typed.ActorRef;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.phantom.mcp.ClientResponse;
import dev.phantom.mcp.ElicitResult;
import dev.phantom.mcp.Json;
import dev.phantom.mcp.LogLevel;
import dev.phantom.mcp.RequestContext;
import dev.phantom.mcp.UrlElicitation;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

/** The handler's view of its request: every call becomes a message to the request's actor. */
final class RequestContextImpl implements RequestContext {
  private final ActorRef<RequestActor.Command> request;
  private final SessionInfo info;
  private final JsonNode progressToken;
  private final AtomicBoolean cancelled = new AtomicBoolean();
  private final List<Runnable> onCancel = new CopyOnWriteArrayList<>();

  RequestContextImpl(ActorRef<RequestActor.Command> request, SessionInfo info, JsonNode progressToken) {
    this.request = request;
    this.info = info;
    this.progressToken = progressToken;
  }

  JsonNode progressToken() {
    return progressToken;
  }

  void cancel() {
    if (cancelled.compareAndSet(false, true)) {
      for (Runnable r : onCancel) {
        try {
          r.run();
        } catch (RuntimeException ignored) {
          // a failing cancel callback must not stop the others
        }
      }
    }
  }

  public String sessionId() {
    return info.sessionId();
  }

  public Optional<String> principal() {
    return Optional.ofNullable(info.principal());
  }

  public ObjectNode clientInfo() {
    return info.clientInfo().deepCopy();
  }

  public ObjectNode clientCapabilities() {
    return info.clientCapabilities().deepCopy();
  }

  public String protocolVersion() {
    return info.protocolVersion();
  }

  public void log(LogLevel level, JsonNode data) {
    request.tell(new RequestActor.Log(level, data));
  }

  public void progress(double progress, Double total, String message) {
    request.tell(new RequestActor.Progress(progress, total, message));
  }

  public CompletionStage<ElicitResult> elicitForm(String message, ObjectNode requestedSchema) {
    ObjectNode params = Json.object().put("mode", "form").put("message", message);
    params.set("requestedSchema", requestedSchema);
    return outbound("elicitation/create", params, RequestActor.Capability.ELICITATION_FORM).thenApply(RequestContextImpl::toElicit);
  }

  public CompletionStage<ElicitResult> elicitUrl(UrlElicitation elicitation) {
    request.tell(new RequestActor.TrackElicitation(elicitation.elicitationId()));
    return outbound("elicitation/create", elicitation.toJson(), RequestActor.Capability.ELICITATION_URL)
        .thenApply(RequestContextImpl::toElicit);
  }

  public CompletionStage<ClientResponse> createMessage(ObjectNode params) {
    return outbound("sampling/createMessage", params, RequestActor.Capability.SAMPLING);
  }

  public CompletionStage<ClientResponse> ping() {
    return outbound("ping", null, RequestActor.Capability.NONE);
  }

  public boolean isCancelled() {
    return cancelled.get();
  }

  public void onCancel(Runnable action) {
    onCancel.add(action);
    if (cancelled.get() && onCancel.remove(action)) action.run();
  }

  public void closeConnection() {
    request.tell(RequestActor.CloseConnection.INSTANCE);
  }

  private CompletionStage<ClientResponse> outbound(String method, ObjectNode params, RequestActor.Capability needs) {
    CompletableFuture<ClientResponse> reply = new CompletableFuture<>();
    if (cancelled.get()) {
      reply.complete(ClientResponse.timeout());
      return reply;
    }
    request.tell(new RequestActor.Outbound(method, params, needs, reply));
    return reply;
  }

  private static ElicitResult toElicit(ClientResponse r) {
    if (r.unsupported()) return new ElicitResult(ElicitResult.Action.NOT_SUPPORTED, null, null);
    if (r.timedOut()) return new ElicitResult(ElicitResult.Action.TIMEOUT, null, null);
    if (r.error() != null) return new ElicitResult(ElicitResult.Action.ERROR, null, r.error());
    String action = r.result().path("action").asText("");
    JsonNode content = r.result().get("content");
    ElicitResult.Action a = switch (action) {
      case "accept" -> ElicitResult.Action.ACCEPT;
      case "decline" -> ElicitResult.Action.DECLINE;
      case "cancel" -> ElicitResult.Action.CANCEL;
      default -> ElicitResult.Action.ERROR;
    };
    ObjectNode error = a == ElicitResult.Action.ERROR
        ? Json.object().put("code", -32602).put("message", "invalid elicitation result action: " + action) : null;
    return new ElicitResult(a, content instanceof ObjectNode o ? o : null, error);
  }
}
