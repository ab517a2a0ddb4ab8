package dev.phantom.testkit;

import java.util.concurrent.TimeUnit;

/** Ends a benchmark or scenario JVM that runs past its bound, so nothing it started can hang CI. */
public final class Watchdog {
  private Watchdog() {}

  /**
   * Starts a daemon thread that, unless interrupted first, prints "{@code what} ABORTED" after {@code
   * minutes} and ends the JVM with {@code status}: with {@link System#exit} when {@code runHooks}
   * (shutdown hooks stop child processes), else with {@link Runtime#halt}.
   */
  public static Thread start(String what, int minutes, int status, boolean runHooks) {
    Thread watchdog = new Thread(() -> {
      try {
        Thread.sleep(TimeUnit.MINUTES.toMillis(minutes));
        System.out.println(what + " ABORTED: still running after " + minutes + " minutes");
        System.out.flush();
        if (runHooks) System.exit(status);
        else Runtime.getRuntime().halt(status);
      } catch (InterruptedException ignored) {
        // finished in time
      }
    }, "watchdog");
    watchdog.setDaemon(true);
    watchdog.start();
    return watchdog;
  }
}
