package dev.phantom.tracker;

import akka.actor.Address;
import akka.actor.AddressFromURIString;
import akka.cluster.UniqueAddress;

/**
 * One incarnation of one node: its address plus the random uid the node drew at start. A node restarted
 * on the same host and port gets a new uid, so it is a new owner and never inherits the old entries.
 *
 * <pre>{@code
 * NodeId owner = presence.owner();
 * boolean mine = owner.equals(tracker.selfNode());
 * }</pre>
 *
 * @param address the node's address, e.g. {@code akka://phantom@127.0.0.1:25520}
 * @param uid the incarnation uid ({@link UniqueAddress#longUid()})
 */
public record NodeId(String address, long uid) implements TrackerSerializable {

  /** The id of a cluster member. */
  public static NodeId of(UniqueAddress unique) {
    return new NodeId(unique.address().toString(), unique.longUid());
  }

  /** The node's address as an Akka {@link Address}. */
  public Address toAddress() {
    return AddressFromURIString.parse(address);
  }

  @Override
  public String toString() {
    return address + "#" + Long.toUnsignedString(uid, 16);
  }
}
