package dev.phantom.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.phantom.mcp.ClientResponse;
import dev.phantom.mcp.Json;
import dev.phantom.mcp.LogLevel;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** A client request's server-to-client requests: what the client must declare, the limit, and their ends. */
class ServerRequestsTest {
  private static final ActorTestKit kit = ActorTestKit.create();

  @AfterAll
  static void stop() {
    kit.shutdownTestKit();
  }

  private static SessionInfo info() {
    return new SessionInfo("session-a", "2025-11-25", Json.object(), Json.object(), LogLevel.INFO, "alice", null);
  }

  @Test
  void aRequestNeedsWhatTheClientDeclared() {
    ObjectNode none = Json.object();
    ObjectNode formOnly = Json.object();
    formOnly.putObject("elicitation");
    ObjectNode both = Json.object();
    both.putObject("elicitation").put("form", true).put("url", true);
    both.putObject("sampling");
    assertTrue(ServerRequests.declared(none, RequestActor.Capability.NONE));
    assertFalse(ServerRequests.declared(none, RequestActor.Capability.ELICITATION_FORM));
    assertTrue(ServerRequests.declared(formOnly, RequestActor.Capability.ELICITATION_FORM), "empty elicitation: form mode");
    assertFalse(ServerRequests.declared(formOnly, RequestActor.Capability.ELICITATION_URL));
    assertFalse(ServerRequests.declared(formOnly, RequestActor.Capability.SAMPLING));
    assertTrue(ServerRequests.declared(both, RequestActor.Capability.ELICITATION_URL));
    assertTrue(ServerRequests.declared(both, RequestActor.Capability.SAMPLING));
  }

  @Test
  void answersReachTheirWaitersAndTheRestTimeOutWhenTheRequestEnds() {
    PendingAnswers pending = new PendingAnswers();
    ServerRequests requests = new ServerRequests(pending, 2);
    TestProbe<RequestActor.Command> request = kit.createTestProbe();
    CompletableFuture<ClientResponse> first = new CompletableFuture<>();
    CompletableFuture<ClientResponse> second = new CompletableFuture<>();
    CompletableFuture<ClientResponse> third = new CompletableFuture<>();
    assertTrue(requests.await("s2c-1", info(), request.getRef(), first));
    assertTrue(requests.await("s2c-2", info(), request.getRef(), second));
    assertFalse(requests.await("s2c-3", info(), request.getRef(), third), "over the session's limit");
    assertTrue(third.isDone() && third.join().error() != null, "refused with an error at once");

    // The client's answer, as the node's PendingAnswers delivers it to the waiting request.
    akka.actor.typed.ActorRef<PendingAnswers.Command> node = kit.spawn(pending.behavior());
    TestProbe<PendingAnswers.Delivered> delivered = kit.createTestProbe();
    node.tell(new PendingAnswers.Deliver("session-a", "alice", "s2c-1", Json.object().put("action", "accept"), null,
        delivered.getRef()));
    assertTrue(delivered.receiveMessage().accepted());
    RequestActor.Answered answer = request.expectMessageClass(RequestActor.Answered.class);
    requests.answered(answer.id(), answer.result(), answer.error());
    assertTrue(first.isDone(), "the answer reached its waiter");
    assertEquals("accept", first.join().result().path("action").asText());
    assertEquals(List.of("s2c-2"), requests.endAll());
    assertTrue(second.isDone() && second.join().timedOut(), "still waiting when the request ended: a timeout");
    assertEquals(0, pending.waitingFor("session-a"), "nothing left registered on the node");
  }
}
