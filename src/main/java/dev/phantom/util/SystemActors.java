package dev.phantom.util;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorRefResolver;
import akka.actor.typed.ActorSystem;

/**
 * Addresses an actor under {@code /system} on a given node by path: the node-wide actors every member
 * runs under the same name (directories, answer receivers, tracker replicas, catalogue sync).
 *
 * <p>Example: {@code SystemActors.on(system, "akka://phantom@10.0.0.2:25520", "phantom-sessions")}.
 */
public final class SystemActors {
  private SystemActors() {}

  /** The actor at {@code /system/<path>} on the node at {@code address} (unverified: by path). */
  public static <T> ActorRef<T> on(ActorSystem<?> system, String address, String path) {
    return ActorRefResolver.get(system).resolveActorRef(address + "/system/" + path);
  }
}
