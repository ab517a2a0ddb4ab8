package dev.phantom.presence;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/**
 * What the notify functions of {@link SessionTracker} deliver to the actors registered with a node's
 * {@link NotificationHub}: a session actor (or, later, a listen stream) must accept these messages,
 * since the hub tells them as they are.
 *
 * <pre>{@code
 * SessionTracker.get(system).publish(new SessionNotification.ListChanged(SessionNotification.ListKind.TOOLS));
 * }</pre>
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "t")
@JsonSubTypes({
  @JsonSubTypes.Type(value = SessionNotification.ListChanged.class, name = "l"),
  @JsonSubTypes.Type(value = SessionNotification.ResourceUpdated.class, name = "r"),
  @JsonSubTypes.Type(value = SessionNotification.ElicitationComplete.class, name = "e")
})
public sealed interface SessionNotification extends PresenceMessage {

  /** Which catalogue a {@link ListChanged} is about. */
  enum ListKind {
    TOOLS("notifications/tools/list_changed"),
    PROMPTS("notifications/prompts/list_changed"),
    RESOURCES("notifications/resources/list_changed");

    private final String method;

    ListKind(String method) {
      this.method = method;
    }

    /** The MCP notification method a client receives. */
    public String method() {
      return method;
    }
  }

  /** {@code notifications/<kind>/list_changed}: for every session. */
  record ListChanged(ListKind kind) implements SessionNotification {}

  /** {@code notifications/resources/updated}: for the listeners of {@code uri}. */
  record ResourceUpdated(String uri) implements SessionNotification {}

  /** {@code notifications/elicitation/complete}: for the actors awaiting the URL elicitation. */
  record ElicitationComplete(String elicitationId) implements SessionNotification {}
}
