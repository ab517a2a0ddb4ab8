package dev.phantom.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.Cancellable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** A request handed to its session is taken by exactly one side: the session, or the HTTP side's deadline. */
class HandoffTest {

  /** A timer that only records whether it was cancelled. */
  private static final class RecordingTimer implements Cancellable {
    volatile boolean cancelled;

    @Override
    public boolean cancel() {
      cancelled = true;
      return true;
    }

    @Override
    public boolean isCancelled() {
      return cancelled;
    }
  }

  @Test
  void theSessionTakesItAndTheDeadlineIsCancelled() {
    Handoff handoff = new Handoff();
    RecordingTimer timer = new RecordingTimer();
    handoff.deadline(timer);
    assertTrue(handoff.take());
    assertTrue(timer.cancelled, "the deadline's timer is cancelled");
    assertFalse(handoff.giveUp(), "a deadline firing anyway finds it taken");
  }

  @Test
  void afterTheDeadlineGaveItUpTheSessionDoesNotTakeIt() {
    Handoff handoff = new Handoff();
    handoff.deadline(new RecordingTimer());
    assertTrue(handoff.giveUp());
    assertFalse(handoff.take(), "the session must not run a request whose client was answered 503");
  }

  @Test
  void aTimerSetAfterTheSessionTookItIsCancelledAtOnce() {
    Handoff handoff = new Handoff();
    assertTrue(handoff.take());
    RecordingTimer timer = new RecordingTimer();
    handoff.deadline(timer);
    assertTrue(timer.cancelled);
  }

  @Test
  void racingSidesNeverBothWin() throws InterruptedException {
    AtomicInteger winners = new AtomicInteger();
    for (int i = 0; i < 2_000; i++) {
      Handoff handoff = new Handoff();
      handoff.deadline(new RecordingTimer());
      CountDownLatch go = new CountDownLatch(1);
      AtomicInteger won = new AtomicInteger();
      Thread session = new Thread(() -> {
        await(go);
        if (handoff.take()) won.incrementAndGet();
      });
      Thread http = new Thread(() -> {
        await(go);
        if (handoff.giveUp()) won.incrementAndGet();
      });
      session.start();
      http.start();
      go.countDown();
      session.join(5_000);
      http.join(5_000);
      assertEquals(1, won.get(), "exactly one side takes handoff " + i);
      winners.addAndGet(won.get());
    }
    assertEquals(2_000, winners.get());
  }

  private static void await(CountDownLatch latch) {
    try {
      assertTrue(latch.await(5, TimeUnit.SECONDS));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
