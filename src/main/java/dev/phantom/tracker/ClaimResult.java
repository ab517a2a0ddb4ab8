package dev.phantom.tracker;

/**
 * The outcome of {@link Tracker#claim}.
 *
 * <pre>{@code
 * tracker.claim("jobs", self, scope, name, Map.of())
 *     .thenAccept(r -> { if (r == ClaimResult.CLAIMED) runOnce(); });
 * }</pre>
 */
public enum ClaimResult {
  /** This caller holds the claim; no other caller in the cluster got {@code CLAIMED} for it. */
  CLAIMED,
  /** Another live holder already holds the claim. */
  DUPLICATE,
  /** The scope is not known (never tracked, ended, or its home node is gone). */
  NO_SCOPE,
  /** The node arbitrating the scope did not answer in time; the claim was not taken. */
  ARBITER_UNREACHABLE
}
