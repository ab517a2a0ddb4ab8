package dev.phantom.http;

import static dev.phantom.http.HttpRules.json;
import static dev.phantom.http.HttpRules.sseResponse;

import akka.actor.typed.ActorRef;
import akka.http.javadsl.model.HttpRequest;
import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.model.StatusCode;
import akka.http.javadsl.model.StatusCodes;
import akka.http.javadsl.model.headers.RawHeader;
import akka.util.ByteString;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.phantom.http.HttpRules.Reject;
import dev.phantom.mcp.ConnectHook;
import dev.phantom.mcp.Json;
import dev.phantom.mcp.JsonRpc;
import dev.phantom.mcp.McpError;
import dev.phantom.mcp.Tool;
import dev.phantom.session.Sse;
import dev.phantom.session.SseQueue;
import dev.phantom.stateless.Envelope;
import dev.phantom.stateless.ListenFilter;
import dev.phantom.stateless.ListenStream;
import dev.phantom.stateless.StatelessContext;
import dev.phantom.stateless.StatelessExchange;
import dev.phantom.stateless.StatelessProtocol;
import dev.phantom.stateless.WireHeaders;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The 2026-07-28 side of {@code /mcp}: each request is checked on its own (its {@code _meta} envelope,
 * its headers against its body, the connect hook) and served on this node, whatever node served the
 * client before: no session, no lookup, no hop. A request's response is JSON, or an SSE stream once the
 * handler writes progress or logs or runs past {@code sse-hold-back}; closing that stream cancels the
 * request. {@code subscriptions/listen} is a stream fed by this node's notification hub.
 */
final class StatelessRoutes {
  private final McpTransport mcp;

  StatelessRoutes(McpTransport mcp) {
    this.mcp = mcp;
  }

  CompletionStage<HttpResponse> onRequest(HttpRequest http, JsonRpc.Request request) {
    JsonNode id = request.id();
    String method = request.method();
    Envelope envelope;
    ObjectNode params;
    try {
      JsonNode name = request.params() == null ? null : request.params().get("name");
      Optional<ObjectNode> toolSchema = method.equals("tools/call") && name != null && name.isTextual()
          ? mcp.server().tool(name.textValue()).map(Tool::inputSchema) : Optional.empty();
      envelope = WireHeaders.admit(HttpRules.headers(http), method, request.params(), toolSchema,
          StatelessProtocol.MODERN_VERSIONS, StatelessProtocol.ALL_VERSIONS);
      params = (ObjectNode) request.params();
    } catch (McpError e) {
      // The request is malformed for this revision: its envelope, its headers or its version.
      return CompletableFuture.completedFuture(json(StatusCodes.BAD_REQUEST, JsonRpc.error(id, e)));
    }
    try {
      if (!StatelessProtocol.exists(method)) throw McpError.methodNotFound(method);
      Envelope admitted = envelope;
      ObjectNode body = params;
      return HttpRules.authenticate(mcp.server().connectHook(), http, id).thenCompose(allow -> {
        try {
          return method.equals("subscriptions/listen") ? listen(id, body, allow) : serve(method, body, admitted, allow, id);
        } catch (McpError e) {
          return CompletableFuture.completedFuture(error(id, e));
        }
      });
    } catch (McpError e) {
      return CompletableFuture.completedFuture(error(id, e));
    }
  }

  private CompletionStage<HttpResponse> serve(String method, ObjectNode params, Envelope envelope, ConnectHook.Allow allow, JsonNode id) {
    dev.phantom.session.Refusal refused = mcp.load().admitRequest();
    if (refused != null) throw HttpRules.reject(refused, id);
    CompletableFuture<HttpResponse> response = new CompletableFuture<>();
    StatelessExchange exchange = new StatelessExchange(new StatelessExchange.Response() {
      public void json(JsonNode message) {
        response.complete(HttpRules.json(StatusCodes.OK, message));
      }

      public void error(McpError error) {
        response.complete(StatelessRoutes.error(id, error));
      }

      public void stream(SseQueue queue, Runnable onClosedEarly) {
        response.complete(sseResponse(queue.source(completed -> {
          if (!completed) onClosedEarly.run();
        })));
      }
    }, id, () -> queue(mcp.statelessSettings().requestKeepAlive()));
    StatelessContext context = exchange.context(envelope, allow.principal().orElse(null));
    mcp.system().scheduler().scheduleOnce(mcp.settings().sseHoldBack(), exchange::holdBackElapsed, mcp.system().executionContext());
    CompletableFuture<JsonNode> result;
    try {
      result = mcp.dispatcher().serveOn(mcp.handlers(), method, params, () -> mcp.statelessProtocol().serve(method, params, allow, context));
    } catch (java.util.concurrent.RejectedExecutionException e) {
      mcp.load().releaseRequest();
      throw HttpRules.reject(mcp.load().handlersFull(), id);
    }
    result.whenComplete((value, failure) -> mcp.load().releaseRequest()).whenComplete(exchange::finish);
    return response;
  }

  /** A listen stream counts as a request in flight on this node until its connection ends. */
  private CompletionStage<HttpResponse> listen(JsonNode id, ObjectNode params, ConnectHook.Allow allow) {
    ListenFilter filter = ListenFilter.parse(params.get("notifications"), uri -> allow.allowList().resource(uri));
    dev.phantom.session.Refusal refused = mcp.load().admitRequest();
    if (refused != null) throw HttpRules.reject(refused, id);
    SseQueue queue = queue(mcp.settings().sseKeepAlive());
    String listenerId = "listen-" + mcp.tracker().mintId();
    return mcp.spawnListener(listenerId, ListenStream.create(id, filter, queue, listenerId))
        .whenComplete((stream, failure) -> {
          if (failure != null) mcp.load().releaseRequest();
        })
        .thenApply(stream -> sseResponse(queue.source(completed -> {
          mcp.load().releaseRequest();
          stream.tell(ListenStream.ConnectionEnded.INSTANCE);
        })));
  }

  /**
   * A response's queue. A request's stream writes keep-alives more often than a listen stream: akka-http
   * notices a closed connection only when a write fails, and that write is what cancels the request.
   */
  private SseQueue queue(java.time.Duration keepAlive) {
    return SseQueue.open(mcp.settings().sseQueueSize(), keepAlive,
        mcp.settings().lookupTimeout().multipliedBy(3), mcp.system());
  }

  /**
   * A JSON-RPC error of a well-formed request, echoing its id, with this revision's HTTP status: 404
   * for a method that does not exist here, 400 for an undeclared capability (and the wire's own
   * codes), 200 for any other error.
   */
  static HttpResponse error(JsonNode id, McpError e) {
    StatusCode status = switch (e.code()) {
      case McpError.METHOD_NOT_FOUND -> StatusCodes.NOT_FOUND;
      case McpError.HEADER_MISMATCH, McpError.MISSING_CLIENT_CAPABILITY, McpError.UNSUPPORTED_PROTOCOL_VERSION -> StatusCodes.BAD_REQUEST;
      default -> StatusCodes.OK;
    };
    return json(status, JsonRpc.error(id, e));
  }
}
