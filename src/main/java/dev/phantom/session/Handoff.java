package dev.phantom.session;

import akka.actor.Cancellable;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A request handed from the HTTP side to its session without a reply: exactly one of the two sides
 * takes it. The session takes it when it spawns the request ({@link #take}); the HTTP side gives it up
 * when the session has not taken it in time ({@link #giveUp}: the session ended as the request was
 * sent, or is overloaded), and then answers the client itself. Whoever loses does nothing, so the
 * request is neither run after the client was answered nor released twice.
 */
public final class Handoff {
  private final AtomicBoolean decided = new AtomicBoolean();
  private volatile Cancellable deadline;

  /** The timer that gives the handoff up (cancelled when the session takes it). */
  public void deadline(Cancellable timer) {
    deadline = timer;
    // Taken before the timer was set: nothing left for it to do.
    if (decided.get()) timer.cancel();
  }

  /** The session takes the request; false if the HTTP side gave it up first. */
  boolean take() {
    if (!decided.compareAndSet(false, true)) return false;
    Cancellable timer = deadline;
    if (timer != null) timer.cancel();
    return true;
  }

  /** The HTTP side gives the request up; false if the session took it first. */
  public boolean giveUp() {
    return decided.compareAndSet(false, true);
  }
}
