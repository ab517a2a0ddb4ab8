package dev.phantom.tracker;

/** The outcome of {@link Tracker#trackInFlight}. */
public enum ClaimResult {
  /** This caller holds the claim; no other caller in the cluster got {@code CLAIMED} for it. */
  CLAIMED,
  /** Another live holder already holds the claim. */
  DUPLICATE,
  /** The session is not known (never tracked, ended, or its home node is gone). */
  NO_SESSION,
  /** The node arbitrating the session did not answer in time; the claim was not taken. */
  ARBITER_UNREACHABLE
}
