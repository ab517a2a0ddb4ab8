package dev.phantom.presence;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * The publications of one node that still wait for the members' counts. A publication completes when
 * every member it waits for has answered, when the members still missing have left the cluster (a
 * member that left is not waited for), or at its timeout, naming the members that did not answer. A
 * pure data structure, owned by the node's {@link NotificationHub}.
 */
final class PendingDeliveries {
  private static final class Pending {
    final Set<String> waitingFor;
    final List<String> skipped;
    final CompletableFuture<Delivery> reply;
    int reached;

    Pending(Set<String> waitingFor, List<String> skipped, CompletableFuture<Delivery> reply) {
      this.waitingFor = waitingFor;
      this.skipped = skipped;
      this.reply = reply;
    }

    Delivery delivery() {
      List<String> unanswered = new ArrayList<>(skipped);
      unanswered.addAll(waitingFor);
      return new Delivery(reached, unanswered);
    }
  }

  private final Map<Long, Pending> pending = new HashMap<>();
  private long lastId;

  /**
   * Opens a publication waiting for {@code members}; {@code skipped} are members not waited for (not
   * reachable now), reported as unanswered. Returns the publication's id, which the answers carry. With
   * no member to wait for it completes at once.
   */
  long open(Set<String> members, List<String> skipped, CompletableFuture<Delivery> reply) {
    long id = ++lastId;
    Pending p = new Pending(new LinkedHashSet<>(members), new ArrayList<>(skipped), reply);
    if (p.waitingFor.isEmpty()) reply.complete(p.delivery());
    else pending.put(id, p);
    return id;
  }

  /**
   * A member's count for publication {@code id}. A member that was not waited for (it joined after the
   * publication) still adds its count: its receivers were told.
   */
  void answered(long id, String member, int reached) {
    Pending p = pending.get(id);
    if (p == null) return;
    p.reached += reached;
    p.waitingFor.remove(member);
    // a member skipped as unreachable that answers after all did answer
    p.skipped.remove(member);
    completeIfDone(id, p);
  }

  /** A member left (or was removed, or is down): no publication waits for it any more. */
  void memberGone(String member) {
    for (Map.Entry<Long, Pending> e : new ArrayList<>(pending.entrySet())) {
      if (e.getValue().waitingFor.remove(member)) completeIfDone(e.getKey(), e.getValue());
    }
  }

  /** Publication {@code id} waited long enough: it completes with the members still missing. */
  void timedOut(long id) {
    Pending p = pending.remove(id);
    if (p != null) p.reply.complete(p.delivery());
  }

  /** Publications not complete yet. */
  int size() {
    return pending.size();
  }

  private void completeIfDone(long id, Pending p) {
    if (!p.waitingFor.isEmpty()) return;
    pending.remove(id);
    p.reply.complete(p.delivery());
  }
}
