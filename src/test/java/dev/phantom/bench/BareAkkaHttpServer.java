package dev.phantom.bench;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import akka.http.javadsl.Http;
import akka.http.javadsl.model.ContentTypes;
import akka.http.javadsl.model.HttpEntities;
import akka.http.javadsl.model.HttpMethods;
import akka.http.javadsl.model.HttpRequest;
import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.model.StatusCodes;
import akka.japi.function.Function;
import akka.stream.Materializer;
import com.typesafe.config.ConfigFactory;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The ceiling for one node on this machine (issue 6): akka-http 10.2.10 answering every POST with a
 * fixed JSON-RPC result, after reading the request body, with nothing of MCP in between. Same HTTP
 * server, same JVM flags as our node.
 *
 * <p>Run: {@code java -cp ... dev.phantom.bench.BareAkkaHttpServer PORT}.
 */
public final class BareAkkaHttpServer {
  private static final byte[] RESULT = ("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"content\":[{\"type\":\"text\","
      + "\"text\":\"hello bench\"}],\"isError\":false}}").getBytes(StandardCharsets.UTF_8);

  private BareAkkaHttpServer() {}

  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(args.length > 0 ? args[0] : "8093");
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "bare",
        ConfigFactory.parseString("akka.actor.provider = local\nakka.loglevel = WARNING").withFallback(ConfigFactory.load()));
    Materializer materializer = Materializer.matFromSystem(system);
    HttpResponse fixed = HttpResponse.create().withStatus(StatusCodes.OK)
        .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, RESULT));
    HttpResponse notFound = HttpResponse.create().withStatus(StatusCodes.NOT_FOUND);
    Function<HttpRequest, CompletionStage<HttpResponse>> handler = request -> {
      if (request.method() != HttpMethods.POST || !request.getUri().path().equals("/mcp")) {
        request.discardEntityBytes(materializer);
        return CompletableFuture.completedFuture(notFound);
      }
      // Stages.direct: without it every callback of an Akka stage starts a thread on 2 cores.
      return dev.phantom.util.Stages.direct(request.entity().toStrict(10_000, materializer)).thenApply(strict -> fixed);
    };
    Http.get(system).newServerAt("127.0.0.1", port).bind(handler).toCompletableFuture().get();
    System.out.println("bare akka-http listening on http://127.0.0.1:" + port + "/mcp");
  }
}
