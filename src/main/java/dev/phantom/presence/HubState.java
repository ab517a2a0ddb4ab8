package dev.phantom.presence;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The authoritative record, on one node, of who receives which notification: the sessions homed on
 * this node, the resource listeners of this node, and the actors awaiting a URL elicitation's
 * completion that was handed out by this node (the waiting session may be homed elsewhere). A pure data structure (no actors, no messages), owned by the node's {@link
 * NotificationHub}, which applies each registration in the order it arrives: an actor that registered
 * before an event reached the hub is among that event's receivers.
 *
 * @param <R> the receiver type ({@code ActorRef} in the hub; anything with equals/hashCode in tests)
 */
final class HubState<R> {
  private enum Kind {
    SESSION, RESOURCE, ELICITATION
  }

  private record Registration(Kind kind, String key) {}

  /** Session id to its receivers on this node, first registered first: the first is told. */
  private final Map<String, List<R>> sessions = new HashMap<>();
  private final Map<String, Set<R>> resourceListeners = new HashMap<>();
  private final Map<String, Set<R>> elicitationWaiters = new HashMap<>();
  /** Every registration of a receiver, so a stopped receiver is removed everywhere at once. */
  private final Map<R, Set<Registration>> byReceiver = new HashMap<>();

  /**
   * Registers {@code receiver} as (an actor of) the session {@code sessionId}; list changes go to the
   * session's first registered receiver only. Returns whether the receiver is new to this state (the
   * hub then watches it).
   */
  boolean addSession(String sessionId, R receiver) {
    List<R> receivers = sessions.computeIfAbsent(sessionId, id -> new ArrayList<>(1));
    if (!receivers.contains(receiver)) receivers.add(receiver);
    return register(receiver, new Registration(Kind.SESSION, sessionId));
  }

  /** Registers a listener of resource {@code uri}; returns whether the receiver is new to this state. */
  boolean addResourceListener(String uri, R receiver) {
    resourceListeners.computeIfAbsent(uri, u -> new LinkedHashSet<>(2)).add(receiver);
    return register(receiver, new Registration(Kind.RESOURCE, uri));
  }

  /** Registers an actor awaiting the URL elicitation {@code id}; returns whether the receiver is new. */
  boolean addElicitationWaiter(String id, R receiver) {
    elicitationWaiters.computeIfAbsent(id, k -> new LinkedHashSet<>(2)).add(receiver);
    return register(receiver, new Registration(Kind.ELICITATION, id));
  }

  /** Ends one resource subscription. */
  void removeResourceListener(String uri, R receiver) {
    remove(resourceListeners, uri, receiver);
    unregister(receiver, new Registration(Kind.RESOURCE, uri));
  }

  /** Ends every registration under the session id. */
  void forgetSession(String sessionId) {
    List<R> receivers = sessions.remove(sessionId);
    if (receivers != null) receivers.forEach(r -> unregister(r, new Registration(Kind.SESSION, sessionId)));
  }

  /** Ends every wait for the elicitation id. */
  void forgetElicitation(String id) {
    Set<R> waiters = elicitationWaiters.remove(id);
    if (waiters != null) waiters.forEach(r -> unregister(r, new Registration(Kind.ELICITATION, id)));
  }

  /** Removes every registration of a receiver (it stopped); returns whether it had any. */
  boolean removeReceiver(R receiver) {
    Set<Registration> registrations = byReceiver.remove(receiver);
    if (registrations == null) return false;
    for (Registration r : registrations) {
      switch (r.kind()) {
        case SESSION -> {
          List<R> receivers = sessions.get(r.key());
          if (receivers != null && receivers.remove(receiver) && receivers.isEmpty()) sessions.remove(r.key());
        }
        case RESOURCE -> remove(resourceListeners, r.key(), receiver);
        case ELICITATION -> remove(elicitationWaiters, r.key(), receiver);
      }
    }
    return true;
  }

  /** Whether the receiver has any registration. */
  boolean knows(R receiver) {
    return byReceiver.containsKey(receiver);
  }

  /**
   * The receivers of {@code event} on this node, each once. An elicitation's completion happens once,
   * so its waiters are removed here.
   */
  List<R> receivers(SessionNotification event) {
    if (event instanceof SessionNotification.ListChanged) {
      List<R> out = new ArrayList<>(sessions.size());
      for (List<R> receivers : sessions.values()) out.add(receivers.get(0));
      return out;
    }
    if (event instanceof SessionNotification.ResourceUpdated u) {
      return List.copyOf(resourceListeners.getOrDefault(u.uri(), Set.of()));
    }
    if (event instanceof SessionNotification.ElicitationComplete c) {
      List<R> waiters = List.copyOf(elicitationWaiters.getOrDefault(c.elicitationId(), Set.of()));
      forgetElicitation(c.elicitationId());
      return waiters;
    }
    throw new IllegalArgumentException("unknown notification " + event);
  }

  /** Sessions registered here. */
  int sessionCount() {
    return sessions.size();
  }

  /** Receivers with at least one registration. */
  int receiverCount() {
    return byReceiver.size();
  }

  private boolean register(R receiver, Registration registration) {
    Set<Registration> registrations = byReceiver.get(receiver);
    if (registrations == null) {
      registrations = new LinkedHashSet<>(2);
      registrations.add(registration);
      byReceiver.put(receiver, registrations);
      return true;
    }
    registrations.add(registration);
    return false;
  }

  private void unregister(R receiver, Registration registration) {
    Set<Registration> registrations = byReceiver.get(receiver);
    if (registrations != null && registrations.remove(registration) && registrations.isEmpty()) {
      byReceiver.remove(receiver);
    }
  }

  private void remove(Map<String, Set<R>> index, String key, R receiver) {
    Set<R> receivers = index.get(key);
    if (receivers != null && receivers.remove(receiver) && receivers.isEmpty()) index.remove(key);
  }
}
