package dev.phantom.tracker;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The claims within the scopes homed on this node, and who holds each. A claim is
 * held by one holder until that holder releases it or stops; any other holder is refused meanwhile.
 *
 * <p>Linearizable because one actor (the replica) owns the only instance and calls it from its thread:
 * of concurrent claimers exactly one gets {@code CLAIMED}. Pure: the caller watches the holders (generic
 * in the holder so that it is tested without actors).
 *
 * @param <H> the holder (an actor)
 */
final class Claims<H> {
  private final Map<TrackerKey.Claim, H> holders = new HashMap<>();
  private final Map<H, Set<TrackerKey.Claim>> byHolder = new HashMap<>();

  /**
   * Decides a claim. {@code CLAIMED} again for the holder that has it already (a retry is not a
   * duplicate).
   *
   * @param scopeHere whether this node has an entry under the scope: a claim in a scope it does not
   *     host is refused
   */
  ClaimResult claim(TrackerKey.Claim claim, H holder, boolean scopeHere) {
    if (!scopeHere) return ClaimResult.NO_SCOPE;
    H current = holders.get(claim);
    if (current != null) return current.equals(holder) ? ClaimResult.CLAIMED : ClaimResult.DUPLICATE;
    holders.put(claim, holder);
    byHolder.computeIfAbsent(holder, h -> new HashSet<>()).add(claim);
    return ClaimResult.CLAIMED;
  }

  /**
   * Releases the claim if {@code holder} holds it (anyone else's release is ignored).
   *
   * @return whether the holder now holds no claim (it need not be watched for claims any more)
   */
  boolean release(TrackerKey.Claim claim, H holder) {
    if (!holder.equals(holders.get(claim))) return false;
    holders.remove(claim);
    Set<TrackerKey.Claim> held = byHolder.get(holder);
    if (held == null) return false;
    held.remove(claim);
    if (!held.isEmpty()) return false;
    byHolder.remove(holder);
    return true;
  }

  /** Drops every claim of a holder that stopped. */
  void holderStopped(H holder) {
    Set<TrackerKey.Claim> held = byHolder.remove(holder);
    if (held != null) for (TrackerKey.Claim c : held) holders.remove(c);
  }

  boolean holdsAny(H holder) {
    return byHolder.containsKey(holder);
  }
}
