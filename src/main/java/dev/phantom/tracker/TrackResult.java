package dev.phantom.tracker;

/**
 * The outcome of a track call.
 *
 * <pre>{@code
 * tracker.track("jobs", jobId, self, Map.of()).thenAccept(r -> log.info("track: {}", r));
 * }</pre>
 */
public enum TrackResult {
  /** The entry is tracked; reads on this node see it as soon as the call's stage completes. */
  TRACKED,
  /** The same actor is already tracked under the same topic and key; nothing changed. */
  ALREADY_TRACKED,
  /**
   * The actor lives on another node. Only the node hosting an actor may track it (owner-only writes), so
   * nothing changed.
   */
  NOT_LOCAL,
  /**
   * The key and metadata exceed {@code phantom.tracker.max-entry-size}: refused before replication,
   * nothing changed.
   */
  TOO_LARGE
}
