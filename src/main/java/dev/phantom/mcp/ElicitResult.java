package dev.phantom.mcp;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * What came of an elicitation: the client's {@code accept} (with content for form mode), {@code
 * decline} or {@code cancel}; or, without an answer, {@link Action#NOT_SUPPORTED} (the client did not
 * declare that mode), {@link Action#TIMEOUT}, or {@link Action#ERROR} (the client answered with a
 * JSON-RPC error, in {@code error}).
 */
public record ElicitResult(Action action, ObjectNode content, ObjectNode error) {
  public enum Action {
    ACCEPT, DECLINE, CANCEL, NOT_SUPPORTED, TIMEOUT, ERROR
  }

  public boolean accepted() {
    return action == Action.ACCEPT;
  }
}
