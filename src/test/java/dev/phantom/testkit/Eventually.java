package dev.phantom.testkit;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Bounded polling: the only way tests wait for something eventually consistent. */
public final class Eventually {
  private Eventually() {}

  /** Polls {@code condition} every 10 ms until it holds or {@code timeout} passes (then fails with {@code what}). */
  public static void await(Duration timeout, BooleanSupplier condition, Supplier<String> what) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) throw new AssertionError("not within " + timeout + ": " + what.get());
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted while waiting for: " + what.get());
      }
    }
  }

  /** {@link #await(Duration, BooleanSupplier, Supplier)} with a fixed description. */
  public static void await(Duration timeout, BooleanSupplier condition, String what) {
    await(timeout, condition, () -> what);
  }

  /** Polls until {@code condition} holds and returns how long it took, in nanoseconds. */
  public static long timeUntil(Duration timeout, BooleanSupplier condition, String what) {
    long start = System.nanoTime();
    await(timeout, condition, what);
    return System.nanoTime() - start;
  }
}
