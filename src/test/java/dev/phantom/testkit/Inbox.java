package dev.phantom.testkit;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import akka.actor.typed.javadsl.Behaviors;

/**
 * A real actor that forwards everything it receives to a probe, so tests can track it, stop it (which
 * the tracker sees through DeathWatch) and read what the tracker sent it.
 */
public final class Inbox {
  public final ActorRef<Object> ref;
  public final TestProbe<Object> probe;
  private final ActorTestKit kit;

  private Inbox(ActorTestKit kit, ActorRef<Object> ref, TestProbe<Object> probe) {
    this.kit = kit;
    this.ref = ref;
    this.probe = probe;
  }

  public static Inbox spawn(ActorTestKit kit) {
    TestProbe<Object> probe = kit.createTestProbe();
    ActorRef<Object> ref = kit.spawn(Behaviors.receive(Object.class)
        .onAnyMessage(m -> {
          probe.getRef().tell(m);
          return Behaviors.same();
        })
        .build());
    return new Inbox(kit, ref, probe);
  }

  /** Stops the actor and waits until it has stopped. */
  public void stop() {
    kit.stop(ref);
  }
}
