package dev.phantom.tracker;

/**
 * The messages the tracker's notify functions send to tracked actors. An actor that is tracked as a
 * session or resource listener must accept these messages (its behavior's message type must be a
 * supertype of {@code TrackerNotification}, e.g. via {@code Behavior<Object>} or by handling it in
 * its receive), because the tracker delivers them to the tracked reference as is.
 */
public sealed interface TrackerNotification extends TrackerSerializable {

  /** {@code notifications/tools/list_changed} for the receiving session. */
  record ToolListChanged() implements TrackerNotification {}

  /** {@code notifications/prompts/list_changed} for the receiving session. */
  record PromptListChanged() implements TrackerNotification {}

  /** {@code notifications/resources/list_changed} for the receiving session. */
  record ResourceListChanged() implements TrackerNotification {}

  /** {@code notifications/resources/updated} for a resource the receiver listens to. */
  record ResourceUpdated(String uri) implements TrackerNotification {}

  /** {@code notifications/elicitation/complete} for a URL elicitation the receiver registered. */
  record ElicitationComplete(String elicitationId) implements TrackerNotification {}
}
