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
    TestProbe<PendingAnswers.Delivered> reply = kit.createTestProbe();
    answers.tell(new PendingAnswers.Deliver(sessionId, id, Json.object().put("action", "accept"), null, reply.getRef()));
    return reply.receiveMessage().accepted();
  }

  @Test
  void anAnswerReachesTheWaitingRequestOnceAndOnlyFromItsSession() {
    PendingAnswers pending = new PendingAnswers();
    ActorRef<PendingAnswers.Command> answers = kit.spawn(pending.behavior());
    TestProbe<RequestActor.Command> request = kit.createTestProbe();
    pending.await("s2c-1", "session-a", request.getRef());

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
    pending.await("s2c-2", "session-a", request.getRef());
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
        new SessionActor.RegisterRequest("1", request.getRef(), request.getRef())));
    request.expectMessage(RequestActor.NoSession.INSTANCE);
  }
}
