package dev.phantom.session;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import akka.stream.javadsl.Sink;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.phantom.mcp.ConnectHook;
import dev.phantom.mcp.Json;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * A GET open that the serving node gave up on (it answered 503 after lookup-timeout) but that the
 * session still carried out must not stay the session's connected GET stream.
 */
class GetStreamAbandonTest {
  private static final ActorTestKit kit = ActorTestKit.create();
  private static final McpSettings settings = McpSettings.fromConfig(kit.system().settings().config());

  @AfterAll
  static void stop() {
    kit.shutdownTestKit();
  }

  private static ActorRef<Object> newSession(String id) throws Exception {
    ActorRef<Directory.Command> streams = kit.spawn(Directory.create());
    CompletableFuture<Void> ready = new CompletableFuture<>();
    ObjectNode clientInfo = Json.object().put("name", "test");
    ActorRef<Object> session = kit.spawn(SessionActor.create(new SessionActor.Init(id, "2025-11-25", clientInfo,
        Json.object(), null, ConnectHook.AllowList.ALL, ready), settings, streams));
    ready.get(10, TimeUnit.SECONDS);
    return session;
  }

  private static SseSink.Local newConnection(long connectionId) {
    SseQueue queue = SseQueue.open(16, Duration.ofSeconds(10), Duration.ofMinutes(1), kit.system());
    queue.source(completed -> {}).runWith(Sink.ignore(), kit.system());
    return new SseSink.Local(queue, connectionId);
  }

  @Test
  void anAbandonedOpenThatWentThroughIsEndedAndARetryOpens() throws Exception {
    ActorRef<Object> session = newSession("abandon-after-open");
    TestProbe<SessionActor.GetStreamOpened> replies = kit.createTestProbe();

    session.tell(new SessionActor.OpenLocalGetStream(newConnection(1), null, replies.getRef()));
    ActorRef<StreamActor.Command> late = replies.receiveMessage().stream();
    assertNotNull(late, "the first open went through (its answer came after the serving node gave up)");

    session.tell(new SessionActor.GetConnectionAbandoned(1));
    replies.expectTerminated(late);

    session.tell(new SessionActor.OpenLocalGetStream(newConnection(2), null, replies.getRef()));
    assertNotNull(replies.receiveMessage().stream(), "the client's retry opens the GET stream (no 409)");
  }

  @Test
  void anAbandonForAnotherConnectionLeavesTheStreamAlone() throws Exception {
    ActorRef<Object> session = newSession("abandon-other");
    TestProbe<SessionActor.GetStreamOpened> replies = kit.createTestProbe();

    session.tell(new SessionActor.OpenLocalGetStream(newConnection(1), null, replies.getRef()));
    assertNotNull(replies.receiveMessage().stream());

    session.tell(new SessionActor.GetConnectionAbandoned(99));
    session.tell(new SessionActor.OpenLocalGetStream(newConnection(2), null, replies.getRef()));
    assertNull(replies.receiveMessage().stream(), "the stream of connection 1 is still connected: 409");
  }
}
