package dev.phantom.http;

import static dev.phantom.http.HttpRules.accepts;
import static dev.phantom.http.HttpRules.header;


import akka.http.javadsl.model.HttpMethods;
import akka.http.javadsl.model.HttpRequest;
import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.model.StatusCodes;
import akka.http.javadsl.model.headers.RawHeader;
import akka.http.javadsl.server.AllDirectives;
import akka.http.javadsl.server.Route;
import akka.stream.Materializer;
import akka.util.ByteString;
import com.fasterxml.jackson.databind.JsonNode;
import dev.phantom.http.HttpRules.Reject;
import dev.phantom.mcp.Json;
import dev.phantom.mcp.JsonRpc;
import dev.phantom.mcp.McpDispatcher;
import dev.phantom.mcp.McpError;
import dev.phantom.stateless.EraDecision;
import dev.phantom.stateless.StatelessProtocol;
import dev.phantom.util.Stages;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;

/**
 * {@code /mcp}: the HTTP rules both eras share (Host/Origin check, methods, media types, body size,
 * JSON and JSON-RPC parsing), then one decision per POSTed message: a request that names the
 * stateless revision (its {@code _meta} protocol version, or a modern {@code MCP-Protocol-Version}
 * header) goes to {@link StatelessRoutes}; everything else — {@code initialize}, requests of a session,
 * posted answers and notifications, GET and DELETE — to {@link SessionRoutes}, as in 2025-11-25.
 */
final class McpEndpoint extends AllDirectives {
  private final McpTransport mcp;
  private final Materializer materializer;
  private final HostCheck hostCheck;
  private final SessionRoutes sessions;
  private final StatelessRoutes stateless;
  private final InputLimits inputLimits;

  McpEndpoint(McpTransport mcp) {
    this.mcp = mcp;
    this.materializer = Materializer.matFromSystem(mcp.system());
    this.hostCheck = new HostCheck(mcp.settings().allowedHosts(), mcp.settings().allowedOrigins());
    this.sessions = new SessionRoutes(mcp);
    this.stateless = new StatelessRoutes(mcp);
    this.inputLimits = new InputLimits(mcp.settings().limits());
  }

  Route route(String segment) {
    return path(segment, () -> extractRequest(request -> completeWithFuture(handle(request))));
  }

  CompletionStage<HttpResponse> handle(HttpRequest request) {
    CompletionStage<HttpResponse> response;
    try {
      hostCheck.check(request);
      if (request.method() == HttpMethods.POST) response = post(request);
      else if (request.method() == HttpMethods.GET) response = sessions.get(request);
      else if (request.method() == HttpMethods.DELETE) response = sessions.delete(request);
      else throw new Reject(StatusCodes.METHOD_NOT_ALLOWED, new McpError(McpError.SERVER_ERROR, "Method not allowed"),
            List.of(RawHeader.create("Allow", "GET, POST, DELETE")));
    } catch (Reject r) {
      response = CompletableFuture.completedFuture(HttpRules.reject(r));
    }
    return response.exceptionally(failure -> {
      Throwable cause = McpDispatcher.unwrap(failure);
      if (cause instanceof Reject r) return HttpRules.reject(r);
      if (cause instanceof TimeoutException || cause instanceof akka.pattern.AskTimeoutException) {
        return HttpRules.reject(new Reject(StatusCodes.SERVICE_UNAVAILABLE, McpError.SERVER_ERROR, "The session's node did not answer in time"));
      }
      mcp.system().log().error("MCP request failed", cause);
      return HttpRules.reject(new Reject(StatusCodes.INTERNAL_SERVER_ERROR, McpError.INTERNAL_ERROR, "Internal error"));
    });
  }

  private CompletionStage<HttpResponse> post(HttpRequest request) {
    String accept = header(request, "accept").orElse("");
    if (!accepts(accept, "application/json") || !accepts(accept, "text/event-stream")) {
      throw new Reject(StatusCodes.NOT_ACCEPTABLE, McpError.SERVER_ERROR,
          "Not Acceptable: the client must accept both application/json and text/event-stream");
    }
    String contentType = request.entity().getContentType().mediaType().toString();
    if (!contentType.equalsIgnoreCase("application/json")) {
      throw new Reject(StatusCodes.UNSUPPORTED_MEDIA_TYPE, McpError.SERVER_ERROR,
          "Unsupported Media Type: Content-Type must be application/json");
    }
    long max = mcp.settings().maxBodyBytes();
    if (request.entity().getContentLengthOption().orElse(0L) > max) {
      // Read and drop the body before answering (akka-http caps it at its max-content-length): a client
      // still sending it would otherwise meet a closed connection instead of the 413.
      // A body above akka-http's own max-content-length cannot even be drained (the entity fails at once):
      // still 413, and the connection is closed since the rest of the body was not read.
      return Stages.direct(request.discardEntityBytes(materializer).completionStage())
          .handle((done, failure) -> {
            Reject r = tooLarge(max);
            if (failure != null) {
              throw new Reject(r.status, r.error, List.of(akka.http.javadsl.model.headers.Connection.create("close")));
            }
            throw r;
          });
    }
    return Stages.direct(request.entity().withSizeLimit(max).toStrict(10_000, materializer))
        .exceptionally(e -> {
          throw McpDispatcher.unwrap(e) instanceof akka.http.scaladsl.model.EntityStreamSizeException ? tooLarge(max)
              : new Reject(StatusCodes.BAD_REQUEST, McpError.PARSE_ERROR, "Parse error: the body could not be read");
        })
        .thenCompose(strict -> onBody(request, strict.getData()));
  }

  private static Reject tooLarge(long max) {
    return new Reject(StatusCodes.PAYLOAD_TOO_LARGE, McpError.INVALID_REQUEST, "Request too large: the limit is " + max + " bytes");
  }

  private CompletionStage<HttpResponse> onBody(HttpRequest request, ByteString body) {
    JsonNode json = inputLimits.parse(body.toArray());
    if (json == null || json.isMissingNode()) throw new Reject(StatusCodes.BAD_REQUEST, McpError.PARSE_ERROR, "Parse error: empty body");
    if (json.isArray()) {
      throw new Reject(StatusCodes.BAD_REQUEST, McpError.INVALID_REQUEST,
          "Invalid request: JSON-RPC batches are not supported (removed in MCP 2025-06-18); send one message per POST");
    }
    JsonRpc.Message message;
    try {
      message = JsonRpc.parse(json);
    } catch (McpError e) {
      throw new Reject(StatusCodes.BAD_REQUEST, e, List.of());
    }
    inputLimits.check(message);
    if (message instanceof JsonRpc.Request r
        && EraDecision.isModern(r.params(), header(request, "mcp-protocol-version"), StatelessProtocol.MODERN_VERSIONS)) {
      return stateless.onRequest(request, r);
    }
    if (message instanceof JsonRpc.Notification n
        && EraDecision.isModern(n.params(), header(request, "mcp-protocol-version"), StatelessProtocol.MODERN_VERSIONS)) {
      // Nothing to act on without a session: a 2026 request is cancelled by closing its stream (a
      // client may still send notifications/cancelled, e.g. when it closes a listen stream).
      return CompletableFuture.completedFuture(HttpResponse.create().withStatus(StatusCodes.ACCEPTED));
    }
    return sessions.onMessage(request, message);
  }
}
