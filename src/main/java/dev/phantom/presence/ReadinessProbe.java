package dev.phantom.presence;

import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Whether the notification topic connects this node's hub with every other member, both ways: this
 * node's publications reach the member's hub (it answered a ping published here: a {@code pong}) and
 * the member's publications reach this hub (its own publication of an echo arrived here). Members are
 * named with their incarnation, so a member restarted on the same address must prove itself again. Once
 * every Up member has, the node is ready for good: the pub-sub registry only forgets a hub when its
 * member leaves. A pure data structure, owned by the node's {@link NotificationHub}.
 */
final class ReadinessProbe {
  private final Set<String> reachedByUs = new HashSet<>();
  private final Set<String> reachingUs = new HashSet<>();
  private boolean ready;

  /** The member's hub got our ping. */
  void pong(String member) {
    reachedByUs.add(member);
  }

  /** The member's echo, published through its own mediator, reached us. */
  void echo(String member) {
    reachingUs.add(member);
  }

  /** The members (other than this node) still to prove a direction, among {@code upMembers}. */
  Set<String> missing(Set<String> upMembers) {
    Set<String> missing = new LinkedHashSet<>();
    for (String m : upMembers) {
      if (!reachedByUs.contains(m) || !reachingUs.contains(m)) missing.add(m);
    }
    return missing;
  }

  /** Checks the current Up members (others than this node); once ready, stays ready. */
  boolean check(Set<String> upMembers) {
    if (!ready && missing(upMembers).isEmpty()) ready = true;
    return ready;
  }

  boolean isReady() {
    return ready;
  }
}
