package dev.phantom.session;

import static org.junit.jupiter.api.Assertions.assertEquals;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.phantom.mcp.Json;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** Answers to server-to-client requests reach the waiting request once, and only from its own session. */
class PendingAnswersTest {
  private static final ActorTestKit kit = ActorTestKit.create();

  @AfterAll
  static void stop() {
    kit.shutdownTestKit();
  }

  private static boolean deliver(ActorRef<PendingAnswers.Command> answers, String sessionId, String id) {
    return deliverAs(answers, sessionId, "alice", id).accepted();
  }

  private static PendingAnswers.Delivered deliverAs(ActorRef<PendingAnswers.Command> answers, String sessionId,
      String principal, String id) {
    TestProbe<PendingAnswers.Delivered> reply = kit.createTestProbe();
    answers.tell(new PendingAnswers.Deliver(sessionId, principal, id, Json.object().put("action", "accept"), null, reply.getRef()));
    return reply.receiveMessage();
  }

  @Test
  void anAnswerFromAnotherPrincipalIsRefusedAndTheRequestStillWaits() {
    PendingAnswers pending = new PendingAnswers();
    ActorRef<PendingAnswers.Command> answers = kit.spawn(pending.behavior());
    TestProbe<RequestActor.Command> request = kit.createTestProbe();
    assertEquals(true, pending.await("s2c-9", "session-a", "alice", request.getRef(), 16));
    PendingAnswers.Delivered mallory = deliverAs(answers, "session-a", "mallory", "s2c-9");
    assertEquals(false, mallory.accepted());
    assertEquals(true, mallory.otherPrincipal());
    assertEquals(false, deliverAs(answers, "session-a", null, "s2c-9").accepted(), "anonymous is another principal");
    request.expectNoMessage(java.time.Duration.ofMillis(100));
    assertEquals(true, deliver(answers, "session-a", "s2c-9"));
    request.expectMessageClass(RequestActor.Answered.class);
  }

  @Test
  void aSessionAwaitsAtMostTheLimitOfAnswersOnANodeAndAnAnswerFreesASlot() {
    PendingAnswers pending = new PendingAnswers();
    ActorRef<PendingAnswers.Command> answers = kit.spawn(pending.behavior());
    TestProbe<RequestActor.Command> request = kit.createTestProbe();
    assertEquals(true, pending.await("a1", "session-a", "alice", request.getRef(), 2));
    assertEquals(true, pending.await("a2", "session-a", "alice", request.getRef(), 2));
    assertEquals(false, pending.await("a3", "session-a", "alice", request.getRef(), 2));
    assertEquals(true, pending.await("b1", "session-b", "alice", request.getRef(), 2), "another session has its own count");
    assertEquals(false, deliver(answers, "session-a", "a3"), "the refused one was never registered");
    assertEquals(true, deliver(answers, "session-a", "a1"));
    pending.forget("a2");
    assertEquals(0, pending.waitingFor("session-a"));
    assertEquals(true, pending.await("a4", "session-a", "alice", request.getRef(), 2));
  }

  @Test
  void anAnswerReachesTheWaitingRequestOnceAndOnlyFromItsSession() {
    PendingAnswers pending = new PendingAnswers();
    ActorRef<PendingAnswers.Command> answers = kit.spawn(pending.behavior());
    TestProbe<RequestActor.Command> request = kit.createTestProbe();
    pending.await("s2c-1", "session-a", "alice", request.getRef(), 16);

    assertEquals(false, deliver(answers, "session-b", "s2c-1"), "another session's answer is refused");
    request.expectNoMessage(java.time.Duration.ofMillis(100));
    assertEquals(true, deliver(answers, "session-a", "s2c-1"));
    RequestActor.Answered answered = (RequestActor.Answered) request.receiveMessage();
    assertEquals("s2c-1", answered.id());
    assertEquals(TextNode.valueOf("accept"), answered.result().get("action"));
    assertEquals(false, deliver(answers, "session-a", "s2c-1"), "a second answer is refused");
  }

  @Test
  void anAnswerAfterTheRequestGaveUpIsRefused() {
    PendingAnswers pending = new PendingAnswers();
    ActorRef<PendingAnswers.Command> answers = kit.spawn(pending.behavior());
    TestProbe<RequestActor.Command> request = kit.createTestProbe();
    pending.await("s2c-2", "session-a", "alice", request.getRef(), 16);
    pending.forget("s2c-2");
    assertEquals(false, deliver(answers, "session-a", "s2c-2"));
    assertEquals(false, deliver(answers, "session-a", "never-sent"));
    request.expectNoMessage(java.time.Duration.ofMillis(100));
  }

  @Test
  void aRegistrationForASessionTheDirectoryDoesNotHoldIsAnsweredAtOnce() {
    ActorRef<Directory.Command> sessions = kit.spawn(Directory.create());
    TestProbe<RequestActor.Command> request = kit.createTestProbe();
    sessions.tell(new Directory.RegisterWithSession("no-such-session",
        new SessionActor.RegisterRequest("1", null, request.getRef(), 0)));
    request.expectMessage(RequestActor.NoSession.INSTANCE);
  }
}
