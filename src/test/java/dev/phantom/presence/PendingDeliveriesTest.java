package dev.phantom.presence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * Publications awaiting the members' counts: complete when every awaited member answered, when the
 * missing ones left, or at the timeout naming the missing (after the skipped members given at open).
 */
class PendingDeliveriesTest {
  private static final String A = "akka://phantom@10.0.0.1:25520#1";
  private static final String B = "akka://phantom@10.0.0.2:25520#2";
  private static final String C = "akka://phantom@10.0.0.3:25520#3";
  private static final String D = "akka://phantom@10.0.0.4:25520#4";

  private final PendingDeliveries pending = new PendingDeliveries();

  private static Set<String> members(String... members) {
    return new LinkedHashSet<>(List.of(members));
  }

  /** The completed delivery; fails (never blocks) if the publication is not complete. */
  private static Delivery delivered(CompletableFuture<Delivery> reply) {
    assertTrue(reply.isDone(), "publication not complete");
    return reply.getNow(null);
  }

  @Test
  void completesWhenEveryAwaitedMemberAnsweredSummingCounts() {
    CompletableFuture<Delivery> reply = new CompletableFuture<>();
    long id = pending.open(members(A, B, C), List.of(), reply);
    assertEquals(1, pending.size());

    pending.answered(id, A, 3);
    assertFalse(reply.isDone());
    pending.answered(id, C, 0);
    assertFalse(reply.isDone());
    pending.answered(id, B, 4);

    assertTrue(reply.isDone());
    Delivery d = delivered(reply);
    assertEquals(7, d.reached());
    assertEquals(List.of(), d.unanswered());
    assertTrue(d.complete());
    assertEquals(0, pending.size());
  }

  @Test
  void answerFromAMemberNotAwaitedAddsItsCount() {
    CompletableFuture<Delivery> reply = new CompletableFuture<>();
    long id = pending.open(members(A, B), List.of(), reply);

    pending.answered(id, A, 1);
    pending.answered(id, D, 5); // joined after the publication: its receivers were told
    assertFalse(reply.isDone());
    pending.answered(id, B, 2);

    assertEquals(new Delivery(8, List.of()), delivered(reply));
  }

  @Test
  void timedOutPublicationNamesSkippedThenMissingMembers() {
    CompletableFuture<Delivery> reply = new CompletableFuture<>();
    long id = pending.open(members(A, B, C), List.of(D), reply);

    pending.answered(id, B, 2);
    assertFalse(reply.isDone());
    pending.timedOut(id);

    assertTrue(reply.isDone());
    Delivery d = delivered(reply);
    assertEquals(2, d.reached());
    assertEquals(List.of(D, A, C), d.unanswered());
    assertFalse(d.complete());
    assertEquals(0, pending.size());
  }

  @Test
  void skippedMembersAreReportedEvenWhenEveryAwaitedMemberAnswered() {
    CompletableFuture<Delivery> reply = new CompletableFuture<>();
    long id = pending.open(members(A), List.of(C, D), reply);

    pending.answered(id, A, 1);

    assertEquals(new Delivery(1, List.of(C, D)), delivered(reply));
  }

  @Test
  void memberGoneCompletesAPublicationThatOnlyWaitedForIt() {
    CompletableFuture<Delivery> first = new CompletableFuture<>();
    CompletableFuture<Delivery> second = new CompletableFuture<>();
    long id1 = pending.open(members(A, B), List.of(), first);
    long id2 = pending.open(members(B, C), List.of(), second);

    pending.answered(id1, A, 2);
    pending.memberGone(B);

    // The first waited only for B any more: it completes; B left so it is not "unanswered".
    assertEquals(new Delivery(2, List.of()), delivered(first));
    // The second still waits for C.
    assertFalse(second.isDone());
    assertEquals(1, pending.size());

    pending.answered(id2, C, 1);
    assertEquals(new Delivery(1, List.of()), delivered(second));
    assertEquals(0, pending.size());
  }

  @Test
  void memberGoneOfAMemberNobodyWaitsForChangesNothing() {
    CompletableFuture<Delivery> reply = new CompletableFuture<>();
    long id = pending.open(members(A), List.of(), reply);

    pending.memberGone(B);

    assertFalse(reply.isDone());
    assertEquals(1, pending.size());
    pending.timedOut(id);
    assertEquals(new Delivery(0, List.of(A)), delivered(reply));
  }

  @Test
  void openWithNoMembersCompletesAtOnce() {
    CompletableFuture<Delivery> reply = new CompletableFuture<>();
    long id = pending.open(Set.of(), List.of(B), reply);

    assertTrue(reply.isDone());
    assertEquals(new Delivery(0, List.of(B)), delivered(reply));
    assertEquals(0, pending.size());

    // Answers and a timeout for it later are ignored.
    pending.answered(id, A, 9);
    pending.timedOut(id);
    assertEquals(new Delivery(0, List.of(B)), delivered(reply));

    CompletableFuture<Delivery> none = new CompletableFuture<>();
    pending.open(Set.of(), List.of(), none);
    assertEquals(new Delivery(0, List.of()), delivered(none));
  }

  @Test
  void answersForUnknownOrCompletedIdsAreIgnored() {
    CompletableFuture<Delivery> reply = new CompletableFuture<>();
    long id = pending.open(members(A), List.of(), reply);

    pending.answered(id + 100, A, 5); // unknown id
    assertFalse(reply.isDone());
    assertEquals(1, pending.size());

    pending.answered(id, A, 1);
    assertEquals(new Delivery(1, List.of()), delivered(reply));

    // Late answers and a late timeout for the completed publication do nothing.
    pending.answered(id, B, 7);
    pending.timedOut(id);
    pending.timedOut(id + 100);
    assertEquals(new Delivery(1, List.of()), delivered(reply));
    assertEquals(0, pending.size());
  }

  @Test
  void answersGoToTheirOwnPublication() {
    CompletableFuture<Delivery> first = new CompletableFuture<>();
    CompletableFuture<Delivery> second = new CompletableFuture<>();
    long id1 = pending.open(members(A, B), List.of(), first);
    long id2 = pending.open(members(A, B), List.of(), second);
    assertNotEquals(id1, id2);
    assertEquals(2, pending.size());

    pending.answered(id2, A, 10);
    pending.answered(id2, B, 20);
    assertEquals(new Delivery(30, List.of()), delivered(second));
    assertFalse(first.isDone());
    assertEquals(1, pending.size());

    pending.answered(id1, B, 1);
    pending.timedOut(id1);
    assertEquals(new Delivery(1, List.of(A)), delivered(first));
    assertEquals(0, pending.size());
  }

  @Test
  void sizeCountsIncompletePublications() {
    assertEquals(0, pending.size());
    long id1 = pending.open(members(A), List.of(), new CompletableFuture<>());
    long id2 = pending.open(members(A, B), List.of(), new CompletableFuture<>());
    pending.open(Set.of(), List.of(), new CompletableFuture<>());
    assertEquals(2, pending.size());

    pending.answered(id1, A, 0);
    assertEquals(1, pending.size());
    pending.answered(id2, A, 0);
    assertEquals(1, pending.size());
    pending.memberGone(B);
    assertEquals(0, pending.size());
  }

  @Test
  void theOpenMembersSetIsCopied() {
    Set<String> awaited = members(A, B);
    CompletableFuture<Delivery> reply = new CompletableFuture<>();
    long id = pending.open(awaited, List.of(), reply);
    awaited.clear();

    pending.answered(id, A, 1);
    assertFalse(reply.isDone());
    pending.answered(id, B, 1);
    assertEquals(new Delivery(2, List.of()), delivered(reply));
    assertEquals(Set.of(), awaited);
  }

  @Test
  void aSkippedMemberThatAnswersAfterAllIsNotReportedUnanswered() {
    PendingDeliveries pending = new PendingDeliveries();
    CompletableFuture<Delivery> reply = new CompletableFuture<>();
    long id = pending.open(java.util.Set.of("A#1"), List.of("U#2"), reply);
    pending.answered(id, "U#2", 5);
    pending.answered(id, "A#1", 1);
    assertEquals(new Delivery(6, List.of()), delivered(reply));
  }
}
