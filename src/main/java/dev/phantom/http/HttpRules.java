package dev.phantom.http;

import akka.NotUsed;
import akka.http.javadsl.model.ContentType;
import akka.http.javadsl.model.ContentTypes;
import akka.http.javadsl.model.HttpEntities;
import akka.http.javadsl.model.HttpHeader;
import akka.http.javadsl.model.HttpRequest;
import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.model.MediaTypes;
import akka.http.javadsl.model.ResponseEntity;
import akka.http.javadsl.model.StatusCode;
import akka.http.javadsl.model.StatusCodes;
import akka.http.javadsl.model.headers.RawHeader;
import akka.stream.javadsl.Source;
import akka.util.ByteString;
import com.fasterxml.jackson.databind.JsonNode;
import dev.phantom.mcp.Json;
import dev.phantom.mcp.JsonRpc;
import dev.phantom.mcp.McpError;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The HTTP rules both protocol eras share on {@code /mcp}: how a refusal is answered (an HTTP status
 * and a JSON-RPC error body, docs/http-errors.md), media-type negotiation, header access, and the
 * shape of JSON and SSE responses.
 */
final class HttpRules {
  static final ContentType EVENT_STREAM = MediaTypes.TEXT_EVENT_STREAM.toContentType();
  private static final dev.phantom.mcp.ConnectHook.Allow ANONYMOUS =
      (dev.phantom.mcp.ConnectHook.Allow) dev.phantom.mcp.ConnectHook.Decision.allow(null);

  private HttpRules() {}

  /** Thrown inside the handling to answer with a status and a JSON-RPC error (echoing {@code id} when known). */
  static final class Reject extends RuntimeException {
    final StatusCode status;
    final McpError error;
    final List<HttpHeader> headers;
    final JsonNode id;

    Reject(StatusCode status, int code, String message) {
      this(status, new McpError(code, message), List.of(), null);
    }

    Reject(StatusCode status, McpError error, List<HttpHeader> headers) {
      this(status, error, headers, null);
    }

    Reject(StatusCode status, McpError error, List<HttpHeader> headers, JsonNode id) {
      super(error.getMessage(), null, false, false);
      this.status = status;
      this.error = error;
      this.headers = headers;
      this.id = id;
    }
  }

  /** The answer to a refusal decided by a session or by the node's limits, echoing {@code id} when known. */
  static Reject reject(dev.phantom.session.Refusal refusal, JsonNode id) {
    List<HttpHeader> headers = refusal.retryAfterSeconds() > 0
        ? List.of(RawHeader.create("Retry-After", Long.toString(refusal.retryAfterSeconds())))
        : List.of();
    return new Reject(StatusCodes.get(refusal.status()), refusal.error(), headers, id);
  }

  static HttpResponse json(StatusCode status, JsonNode body) {
    return HttpResponse.create().withStatus(status).withEntity(ContentTypes.APPLICATION_JSON, Json.writeBytes(body));
  }

  static HttpResponse reject(Reject r) {
    HttpResponse response = json(r.status, JsonRpc.error(r.id, r.error));
    for (HttpHeader h : r.headers) response = response.addHeader(h);
    return response;
  }

  static HttpResponse sseResponse(Source<ByteString, NotUsed> events) {
    return sseResponse(HttpEntities.createChunked(EVENT_STREAM, events));
  }

  static HttpResponse sseResponse(ResponseEntity entity) {
    return HttpResponse.create()
        .withStatus(StatusCodes.OK)
        .addHeader(RawHeader.create("Cache-Control", "no-cache"))
        .addHeader(RawHeader.create("X-Accel-Buffering", "no"))
        .withEntity(entity);
  }

  static boolean accepts(String accept, String mediaType) {
    for (String part : accept.split(",")) {
      String type = part.split(";")[0].trim().toLowerCase(Locale.ROOT);
      if (type.equals(mediaType) || type.equals("*/*") || type.equals(mediaType.substring(0, mediaType.indexOf('/')) + "/*")) {
        return true;
      }
    }
    return false;
  }

  static Optional<String> header(HttpRequest request, String lowerName) {
    if (request == null) return Optional.empty();
    return request.getHeader(lowerName).map(HttpHeader::value);
  }

  /** Every header by lower-case name, repeated headers in order. */
  static Map<String, List<String>> headers(HttpRequest request) {
    Map<String, List<String>> out = new HashMap<>();
    for (HttpHeader h : request.getHeaders()) out.computeIfAbsent(h.lowercaseName(), k -> new ArrayList<>(1)).add(h.value());
    return out;
  }


  /**
   * Runs the connect hook on a request's headers; a refusal is thrown as a {@link Reject} (401 with
   * the hook's {@code WWW-Authenticate} challenge, or 403), echoing {@code id} when known.
   */
  static java.util.concurrent.CompletionStage<dev.phantom.mcp.ConnectHook.Allow> authenticate(
      dev.phantom.mcp.ConnectHook hook, HttpRequest request, JsonNode id) {
    // Without authentication every request is the same anonymous caller: skip copying the headers.
    if (hook == dev.phantom.mcp.ConnectHook.ALLOW_ALL) return java.util.concurrent.CompletableFuture.completedFuture(ANONYMOUS);
    return hook.connectAsync(headers(request)).thenApply(decision -> {
      if (decision instanceof dev.phantom.mcp.ConnectHook.Unauthorized u) {
        throw new Reject(akka.http.javadsl.model.StatusCodes.UNAUTHORIZED, new McpError(McpError.SERVER_ERROR, "Unauthorized"),
            List.of(akka.http.javadsl.model.headers.RawHeader.create("WWW-Authenticate", u.wwwAuthenticate())), id);
      }
      if (decision instanceof dev.phantom.mcp.ConnectHook.Forbidden f) {
        throw new Reject(akka.http.javadsl.model.StatusCodes.FORBIDDEN, new McpError(McpError.SERVER_ERROR, "Forbidden: " + f.message()),
            List.of(), id);
      }
      if (decision instanceof dev.phantom.mcp.ConnectHook.Allow allow) return allow;
      throw new IllegalStateException("the connect hook decided nothing");
    });
  }
}
