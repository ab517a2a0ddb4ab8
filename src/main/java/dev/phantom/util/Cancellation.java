package dev.phantom.util;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A request's cancellation, shared between the thread that cancels it and the handler's threads:
 * callbacks run once, at cancellation or at once when registered after it.
 */
public final class Cancellation {
  private final AtomicBoolean cancelled = new AtomicBoolean();
  private final List<Runnable> callbacks = new CopyOnWriteArrayList<>();

  /** Cancels (once) and runs every callback; a failing callback does not stop the others. */
  public void cancel() {
    if (cancelled.compareAndSet(false, true)) {
      for (Runnable r : callbacks) {
        try {
          r.run();
        } catch (RuntimeException ignored) {
          // a failing cancel callback must not stop the others
        }
      }
    }
  }

  public boolean isCancelled() {
    return cancelled.get();
  }

  /** Runs {@code action} once when cancelled (at once if already). */
  public void onCancel(Runnable action) {
    callbacks.add(action);
    if (cancelled.get() && callbacks.remove(action)) action.run();
  }
}
