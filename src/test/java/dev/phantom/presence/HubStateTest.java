package dev.phantom.presence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Who receives which notification on one node: list changes go to every session once (its first
 * receiver), resource updates to that URI's listeners, an elicitation's completion to its waiters once;
 * a stopped receiver is removed everywhere. Receivers are plain strings here.
 */
class HubStateTest {
  private static final SessionNotification TOOLS = new SessionNotification.ListChanged(SessionNotification.ListKind.TOOLS);
  private static final SessionNotification PROMPTS = new SessionNotification.ListChanged(SessionNotification.ListKind.PROMPTS);

  private final HubState<String> state = new HubState<>();

  private static List<String> sorted(List<String> receivers) {
    List<String> copy = new ArrayList<>(receivers);
    copy.sort(null);
    return copy;
  }

  private static SessionNotification updated(String uri) {
    return new SessionNotification.ResourceUpdated(uri);
  }

  private static SessionNotification completed(String id) {
    return new SessionNotification.ElicitationComplete(id);
  }

  @Test
  void emptyStateHasNoReceivers() {
    assertEquals(List.of(), state.receivers(TOOLS));
    assertEquals(List.of(), state.receivers(updated("file:///a")));
    assertEquals(List.of(), state.receivers(completed("e1")));
    assertEquals(0, state.sessionCount());
    assertEquals(0, state.receiverCount());
    assertFalse(state.knows("actor-a"));
  }

  @Test
  void listChangeGoesToEachSessionOnce() {
    state.addSession("s1", "actor-1");
    state.addSession("s2", "actor-2");
    state.addSession("s3", "actor-3");

    assertEquals(List.of("actor-1", "actor-2", "actor-3"), sorted(state.receivers(TOOLS)));
    // Telling does not consume the registrations: the next list change reaches them again.
    assertEquals(List.of("actor-1", "actor-2", "actor-3"), sorted(state.receivers(PROMPTS)));
  }

  @Test
  void listChangeGoesOnlyToTheFirstReceiverOfASession() {
    state.addSession("s1", "actor-1");
    state.addSession("s1", "stream-1");
    state.addSession("s2", "stream-2");
    state.addSession("s2", "actor-2");

    assertEquals(List.of("actor-1", "stream-2"), sorted(state.receivers(TOOLS)));
    assertEquals(2, state.sessionCount());
    assertEquals(4, state.receiverCount());
  }

  @Test
  void registeringTheSameSessionReceiverTwiceChangesNothing() {
    assertTrue(state.addSession("s1", "actor-1"));
    assertFalse(state.addSession("s1", "actor-1"));

    assertEquals(List.of("actor-1"), state.receivers(TOOLS));
    assertEquals(1, state.sessionCount());
    assertEquals(1, state.receiverCount());

    // One removal ends it: no stale copy keeps the session alive with a stopped receiver.
    assertTrue(state.removeReceiver("actor-1"));
    assertEquals(List.of(), state.receivers(TOOLS));
    assertEquals(0, state.sessionCount());
  }

  @Test
  void whenTheFirstReceiverStopsTheNextOneIsTold() {
    state.addSession("s1", "actor-1");
    state.addSession("s1", "stream-1");

    assertTrue(state.removeReceiver("actor-1"));

    assertEquals(List.of("stream-1"), state.receivers(TOOLS));
    assertEquals(1, state.sessionCount());
  }

  @Test
  void resourceUpdateGoesOnlyToListenersOfThatUri() {
    state.addSession("s1", "actor-1");
    state.addSession("s2", "actor-2");
    state.addResourceListener("file:///a", "actor-1");
    state.addResourceListener("file:///b", "actor-2");

    assertEquals(List.of("actor-1"), state.receivers(updated("file:///a")));
    assertEquals(List.of("actor-2"), state.receivers(updated("file:///b")));
    assertEquals(List.of(), state.receivers(updated("file:///c")));
  }

  @Test
  void resourceListenerSubscribedTwiceIsToldOnce() {
    state.addResourceListener("file:///a", "actor-1");
    state.addResourceListener("file:///a", "actor-1");
    state.addResourceListener("file:///a", "actor-2");

    assertEquals(List.of("actor-1", "actor-2"), sorted(state.receivers(updated("file:///a"))));
    // Still subscribed after an update.
    assertEquals(List.of("actor-1", "actor-2"), sorted(state.receivers(updated("file:///a"))));
  }

  @Test
  void unsubscribeStopsResourceUpdates() {
    state.addResourceListener("file:///a", "actor-1");
    state.addResourceListener("file:///b", "actor-1");
    state.addResourceListener("file:///a", "actor-2");

    state.removeResourceListener("file:///a", "actor-1");

    assertEquals(List.of("actor-2"), state.receivers(updated("file:///a")));
    assertEquals(List.of("actor-1"), state.receivers(updated("file:///b")));
    assertTrue(state.knows("actor-1"));

    state.removeResourceListener("file:///b", "actor-1");
    assertEquals(List.of(), state.receivers(updated("file:///b")));
    // Its last registration ended: it is no longer known.
    assertFalse(state.knows("actor-1"));
    assertEquals(1, state.receiverCount());
  }

  @Test
  void unsubscribingWhatWasNeverSubscribedIsHarmless() {
    state.addResourceListener("file:///a", "actor-1");

    state.removeResourceListener("file:///b", "actor-1");
    state.removeResourceListener("file:///a", "actor-2");

    assertEquals(List.of("actor-1"), state.receivers(updated("file:///a")));
    assertTrue(state.knows("actor-1"));
    assertFalse(state.knows("actor-2"));
  }

  @Test
  void elicitationCompletionGoesToItsWaitersOnce() {
    state.addElicitationWaiter("e1", "actor-1");
    state.addElicitationWaiter("e1", "actor-2");
    state.addElicitationWaiter("e1", "actor-2");
    state.addElicitationWaiter("e2", "actor-3");

    assertEquals(List.of("actor-1", "actor-2"), sorted(state.receivers(completed("e1"))));
    // A second completion of the same id reaches nobody.
    assertEquals(List.of(), state.receivers(completed("e1")));
    // The other elicitation is untouched.
    assertEquals(List.of("actor-3"), state.receivers(completed("e2")));
    // The waiters' only registrations were the completed elicitations.
    assertEquals(0, state.receiverCount());
    assertFalse(state.knows("actor-1"));
  }

  @Test
  void elicitationCompletionKeepsTheWaitersOtherRegistrations() {
    state.addSession("s1", "actor-1");
    state.addElicitationWaiter("e1", "actor-1");

    assertEquals(List.of("actor-1"), state.receivers(completed("e1")));

    assertTrue(state.knows("actor-1"));
    assertEquals(List.of("actor-1"), state.receivers(TOOLS));
  }

  @Test
  void removeReceiverRemovesEveryRegistration() {
    state.addSession("s1", "actor-1");
    state.addResourceListener("file:///a", "actor-1");
    state.addResourceListener("file:///b", "actor-1");
    state.addElicitationWaiter("e1", "actor-1");
    state.addSession("s2", "actor-2");
    state.addResourceListener("file:///a", "actor-2");
    state.addElicitationWaiter("e1", "actor-2");

    assertTrue(state.removeReceiver("actor-1"));

    assertFalse(state.knows("actor-1"));
    assertTrue(state.knows("actor-2"));
    assertEquals(List.of("actor-2"), state.receivers(TOOLS));
    assertEquals(List.of("actor-2"), state.receivers(updated("file:///a")));
    assertEquals(List.of(), state.receivers(updated("file:///b")));
    assertEquals(List.of("actor-2"), state.receivers(completed("e1")));
    assertEquals(1, state.sessionCount());
    assertEquals(1, state.receiverCount());
  }

  @Test
  void removeReceiverOfAnUnknownReceiverReturnsFalse() {
    state.addSession("s1", "actor-1");

    assertFalse(state.removeReceiver("actor-2"));
    assertTrue(state.removeReceiver("actor-1"));
    assertFalse(state.removeReceiver("actor-1"));
    assertEquals(0, state.sessionCount());
    assertEquals(0, state.receiverCount());
  }

  @Test
  void aReceiverRemovedAndRegisteredAgainIsNewAgain() {
    assertTrue(state.addSession("s1", "actor-1"));
    state.removeReceiver("actor-1");

    assertTrue(state.addSession("s1", "actor-1"));
    assertEquals(List.of("actor-1"), state.receivers(TOOLS));
  }

  @Test
  void forgetSessionEndsAllItsReceiversButNotTheirOtherRegistrations() {
    state.addSession("s1", "actor-1");
    state.addSession("s1", "stream-1");
    state.addResourceListener("file:///a", "actor-1");
    state.addSession("s2", "actor-2");

    state.forgetSession("s1");

    assertEquals(List.of("actor-2"), state.receivers(TOOLS));
    assertEquals(1, state.sessionCount());
    // The stream had only the session registration; the actor still listens to a resource.
    assertFalse(state.knows("stream-1"));
    assertTrue(state.knows("actor-1"));
    assertEquals(List.of("actor-1"), state.receivers(updated("file:///a")));
    assertEquals(2, state.receiverCount());

    // Forgetting an unknown session is harmless.
    state.forgetSession("nope");
    assertEquals(1, state.sessionCount());
  }

  @Test
  void forgetElicitationEndsTheWait() {
    state.addElicitationWaiter("e1", "actor-1");
    state.addElicitationWaiter("e2", "actor-1");

    state.forgetElicitation("e1");

    assertEquals(List.of(), state.receivers(completed("e1")));
    assertTrue(state.knows("actor-1"));
    assertEquals(List.of("actor-1"), state.receivers(completed("e2")));
    assertFalse(state.knows("actor-1"));

    state.forgetElicitation("unknown");
    assertEquals(0, state.receiverCount());
  }

  @Test
  void addMethodsReturnTrueOnlyForAReceiverNewToTheState() {
    assertTrue(state.addSession("s1", "actor-1"));
    assertFalse(state.addSession("s2", "actor-1"));
    assertFalse(state.addResourceListener("file:///a", "actor-1"));
    assertFalse(state.addElicitationWaiter("e1", "actor-1"));

    assertTrue(state.addResourceListener("file:///a", "actor-2"));
    assertFalse(state.addResourceListener("file:///a", "actor-2"));
    assertFalse(state.addSession("s1", "actor-2"));

    assertTrue(state.addElicitationWaiter("e1", "actor-3"));
    assertFalse(state.addElicitationWaiter("e2", "actor-3"));
    assertFalse(state.addResourceListener("file:///b", "actor-3"));

    assertEquals(3, state.receiverCount());
    assertEquals(2, state.sessionCount());
    assertTrue(state.knows("actor-1"));
    assertTrue(state.knows("actor-2"));
    assertTrue(state.knows("actor-3"));
  }

  @Test
  void countsFollowRegistrations() {
    state.addSession("s1", "actor-1");
    state.addSession("s1", "stream-1");
    state.addSession("s2", "actor-2");
    state.addResourceListener("file:///a", "listener");
    assertEquals(2, state.sessionCount());
    assertEquals(4, state.receiverCount());

    state.removeReceiver("actor-1");
    assertEquals(2, state.sessionCount());
    assertEquals(3, state.receiverCount());

    state.removeReceiver("stream-1");
    assertEquals(1, state.sessionCount());
    assertEquals(2, state.receiverCount());
  }

  @Test
  void listChangeToASessionWhoseReceiversAllStoppedIsNotAttempted() {
    state.addSession("s1", "actor-1");
    state.addSession("s1", "stream-1");
    state.removeReceiver("actor-1");
    state.removeReceiver("stream-1");

    assertEquals(List.of(), state.receivers(TOOLS));
    assertEquals(0, state.sessionCount());
  }
}
