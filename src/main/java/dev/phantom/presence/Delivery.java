package dev.phantom.presence;

import java.util.List;

/**
 * The outcome of one published notification: how many sessions (or streams) the hubs told, summed over
 * the members that answered, and the members that were waited for but did not answer within {@code
 * phantom.presence.notify-timeout} (their sessions may or may not have been told).
 *
 * @param reached receivers told, over the members that answered
 * @param unanswered the cluster addresses of the members that did not answer in time
 *
 * <pre>{@code
 * SessionTracker.get(system).publish(new SessionNotification.ResourceUpdated("orders://1"))
 *     .thenAccept(d -> log.info("told {} receivers; no answer from {}", d.reached(), d.unanswered()));
 * }</pre>
 */
public record Delivery(int reached, List<String> unanswered) {
  public Delivery {
    unanswered = List.copyOf(unanswered);
  }

  /** Whether every member waited for answered. */
  public boolean complete() {
    return unanswered.isEmpty();
  }
}
