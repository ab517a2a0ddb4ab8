package dev.phantom.presence;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.Terminated;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Adapter;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.TimerScheduler;
import akka.cluster.ClusterEvent;
import akka.cluster.Member;
import akka.cluster.MemberStatus;
import akka.cluster.UniqueAddress;
import akka.cluster.pubsub.DistributedPubSub;
import akka.cluster.pubsub.DistributedPubSubMediator;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.Subscribe;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One per node, under {@code /system/phantom-notifications}: the only way a notification reaches a
 * session. Every notification is published once on the fixed pub-sub topic {@value #TOPIC} through
 * Akka's {@link DistributedPubSubMediator}; the hub of every member is subscribed to it and tells the
 * receivers that its {@link HubState} names: sessions homed on its node, their resource subscriptions,
 * their pending URL elicitations. The hub answers the publisher with how many it told.
 *
 * <p><b>Guarantees.</b> A registration is a local message to this hub, sent before the registering
 * actor acknowledges anything to its client; an event reaches the hub later than that registration, so
 * it is delivered — to each receiver once, since each member's hub is subscribed once. Delivery reads
 * only this node's own state, never the replicated tracker. The node is not ready ({@link #ready}) until
 * the topic connects it with every Up member both ways (see {@link ReadinessProbe}): the pub-sub registry
 * is gossiped, so a member learns of a new node's subscription a few gossip rounds after that node is
 * Up, and a notification published meanwhile would skip the new node. A ready node has been told
 * nothing it could miss: it received no traffic before. Delivery is at-most-once like every Akka
 * message: an event for a member that crashes meanwhile is lost with that member's sessions.
 */
public final class NotificationHub {
  /** The actor's name under {@code /system}. */
  public static final String NAME = "phantom-notifications";
  /** The pub-sub topic of every notification (and of the readiness probes). */
  public static final String TOPIC = "phantom-notifications";

  /** The hub's protocol. */
  public sealed interface Command {}

  /** Registers an actor of this node as (an actor of) a session homed here: it gets list changes. */
  public record RegisterSession(String sessionId, ActorRef<SessionNotification> receiver) implements Command {}

  /** Registers a listener of a resource on this node. */
  public record SubscribeResource(String uri, ActorRef<SessionNotification> receiver) implements Command {}

  /** Ends one resource subscription (may come from another node). */
  public record UnsubscribeResource(String uri, ActorRef<SessionNotification> receiver)
      implements Command, PresenceMessage {}

  /** Registers an actor of this node awaiting a URL elicitation's completion. */
  public record AwaitElicitation(String elicitationId, ActorRef<SessionNotification> receiver) implements Command {}

  /** Ends a session's registrations (may come from another node). */
  public record ForgetSession(String sessionId) implements Command, PresenceMessage {}

  /** Ends every registration of an actor (may come from another node). */
  public record ForgetReceiver(ActorRef<SessionNotification> receiver) implements Command, PresenceMessage {}

  /** Ends every wait for an elicitation id: published, so it reaches every hub before later events. */
  public record ForgetElicitation(String elicitationId) implements Command, PresenceMessage {}

  /** Publishes an event to every member's hub and completes with the delivery's counts. Local only. */
  public record Publish(SessionNotification event, CompletableFuture<Delivery> reply) implements Command {}

  /** An event as published on the topic. */
  public record Published(SessionNotification event, long publication, ActorRef<Delivered> publisher)
      implements Command, PresenceMessage {}

  /** A hub's answer to a publication: how many receivers it told. */
  public record Delivered(long publication, String member, int reached) implements Command, PresenceMessage {}

  /** Readiness: published by a node that is not ready yet; every hub answers with {@link Pong} and {@link Echo}. */
  public record Ping(String member, ActorRef<Pong> hub) implements Command, PresenceMessage {}

  /** Readiness: the answer sent straight back to a ping's hub. */
  public record Pong(String member) implements Command, PresenceMessage {}

  /** Readiness: published by a member that got a ping, for the ping's node. */
  public record Echo(String target, String member) implements Command, PresenceMessage {}

  private enum ProbeTick {
    INSTANCE
  }

  private record PublicationTimeout(long publication) {}

  /**
   * The hub of this node: {@code clustered} when the ActorSystem is a cluster member (publications go
   * through pub-sub), else everything stays on this one node. {@code ready} is set once, when the node
   * is ready (see the class doc); health checks read it.
   */
  static Behavior<Object> create(PresenceSettings settings, boolean clustered, AtomicBoolean ready) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers ->
        new NotificationHub(ctx, timers, settings, clustered, ready).start()));
  }

  private final ActorContext<Object> ctx;
  private final TimerScheduler<Object> timers;
  private final PresenceSettings settings;
  private final boolean clustered;
  private final AtomicBoolean ready;
  private final HubState<ActorRef<SessionNotification>> state = new HubState<>();
  private final PendingDeliveries pending = new PendingDeliveries();
  private final ReadinessProbe probe = new ReadinessProbe();
  private final akka.actor.ActorRef mediator;
  private final String self;
  private final long startedAt = System.nanoTime();
  private long lastNotReadyLog = System.nanoTime();

  private NotificationHub(ActorContext<Object> ctx, TimerScheduler<Object> timers, PresenceSettings settings,
      boolean clustered, AtomicBoolean ready) {
    this.ctx = ctx;
    this.timers = timers;
    this.settings = settings;
    this.clustered = clustered;
    this.ready = ready;
    this.mediator = clustered ? DistributedPubSub.get(Adapter.toClassic(ctx.getSystem())).mediator() : null;
    this.self = clustered ? memberKey(Cluster.get(ctx.getSystem()).selfMember().uniqueAddress()) : "local";
  }

  /** A member with its incarnation, as hubs name each other. */
  static String memberKey(UniqueAddress member) {
    return member.address() + "#" + member.longUid();
  }

  private Behavior<Object> start() {
    if (clustered) {
      mediator.tell(new DistributedPubSubMediator.Subscribe(TOPIC, Adapter.toClassic(ctx.getSelf())),
          Adapter.toClassic(ctx.getSelf()));
      Cluster.get(ctx.getSystem()).subscriptions().tell(Subscribe.create(ctx.getSelf().narrow(), ClusterEvent.MemberEvent.class));
    } else {
      ready.set(true);
    }
    return Behaviors.receive(this::onMessage, this::onSignal);
  }

  private Behavior<Object> onMessage(ActorContext<Object> context, Object message) {
    if (message instanceof Published m) {
      int reached = deliver(m.event());
      m.publisher().tell(new Delivered(m.publication(), self, reached));
    } else if (message instanceof RegisterSession m) {
      watchIfNew(state.addSession(m.sessionId(), m.receiver()), m.receiver());
    } else if (message instanceof SubscribeResource m) {
      watchIfNew(state.addResourceListener(m.uri(), m.receiver()), m.receiver());
    } else if (message instanceof UnsubscribeResource m) {
      state.removeResourceListener(m.uri(), m.receiver());
    } else if (message instanceof AwaitElicitation m) {
      watchIfNew(state.addElicitationWaiter(m.elicitationId(), m.receiver()), m.receiver());
    } else if (message instanceof ForgetSession m) {
      state.forgetSession(m.sessionId());
    } else if (message instanceof ForgetReceiver m) {
      state.removeReceiver(m.receiver());
    } else if (message instanceof ForgetElicitation m) {
      state.forgetElicitation(m.elicitationId());
    } else if (message instanceof Publish m) {
      publish(m);
    } else if (message instanceof Delivered m) {
      pending.answered(m.publication(), m.member(), m.reached());
    } else if (message instanceof PublicationTimeout m) {
      pending.timedOut(m.publication());
    } else if (message instanceof ClusterEvent.MemberEvent e) {
      onMemberEvent(e);
    } else if (message instanceof Ping m) {
      if (!m.member().equals(self)) {
        m.hub().tell(new Pong(self));
        mediator.tell(new DistributedPubSubMediator.Publish(TOPIC, new Echo(m.member(), self)), akka.actor.ActorRef.noSender());
      }
    } else if (message instanceof Pong m) {
      probe.pong(m.member());
    } else if (message instanceof Echo m) {
      if (m.target().equals(self)) probe.echo(m.member());
    } else if (message == ProbeTick.INSTANCE) {
      onProbeTick();
    } else if (message instanceof DistributedPubSubMediator.SubscribeAck) {
      onProbeTick();
      if (!ready.get()) timers.startTimerWithFixedDelay(ProbeTick.INSTANCE, settings.readinessProbeInterval());
    } else {
      return Behaviors.unhandled();
    }
    return Behaviors.same();
  }

  private Behavior<Object> onSignal(ActorContext<Object> context, akka.actor.typed.Signal signal) {
    if (signal instanceof Terminated t) state.removeReceiver(t.getRef().unsafeUpcast());
    return Behaviors.same();
  }

  private void watchIfNew(boolean isNew, ActorRef<SessionNotification> receiver) {
    if (isNew) ctx.watch(receiver);
  }

  private int deliver(SessionNotification event) {
    List<ActorRef<SessionNotification>> receivers = state.receivers(event);
    for (ActorRef<SessionNotification> r : receivers) r.tell(event);
    return receivers.size();
  }

  private void publish(Publish m) {
    if (!clustered) {
      m.reply().complete(new Delivery(deliver(m.event()), List.of()));
      return;
    }
    Set<String> waitFor = new LinkedHashSet<>();
    List<String> unreachable = new ArrayList<>();
    var clusterState = Cluster.get(ctx.getSystem()).state();
    Set<Member> unreachableMembers = clusterState.getUnreachable();
    for (Member member : clusterState.getMembers()) {
      if (!servesSessions(member)) continue;
      String key = memberKey(member.uniqueAddress());
      if (unreachableMembers.contains(member) && !key.equals(self)) unreachable.add(key);
      else waitFor.add(key);
    }
    // This hub is subscribed even before its member is Up: its own sessions count.
    waitFor.add(self);
    long id = pending.open(waitFor, unreachable, m.reply());
    timers.startSingleTimer(new PublicationTimeout(id), settings.notifyTimeout());
    mediator.tell(new DistributedPubSubMediator.Publish(TOPIC, new Published(m.event(), id, ctx.getSelf().narrow())),
        akka.actor.ActorRef.noSender());
  }

  /** Members whose hubs may have sessions: Up, or Leaving (still serving until it exits). */
  private static boolean servesSessions(Member member) {
    MemberStatus status = member.status();
    return status == MemberStatus.up() || status == MemberStatus.leaving();
  }

  private void onMemberEvent(ClusterEvent.MemberEvent e) {
    if (e instanceof ClusterEvent.MemberExited || e instanceof ClusterEvent.MemberRemoved
        || e instanceof ClusterEvent.MemberDowned) {
      pending.memberGone(memberKey(e.member().uniqueAddress()));
    }
  }

  private void onProbeTick() {
    if (ready.get()) {
      timers.cancel(ProbeTick.INSTANCE);
      return;
    }
    var cluster = Cluster.get(ctx.getSystem());
    if (cluster.selfMember().status() != MemberStatus.up()) return;
    Set<String> others = new LinkedHashSet<>();
    var clusterState = cluster.state();
    for (Member member : clusterState.getMembers()) {
      String key = memberKey(member.uniqueAddress());
      if (!key.equals(self) && servesSessions(member) && !clusterState.getUnreachable().contains(member)) others.add(key);
    }
    if (probe.check(others)) {
      ready.set(true);
      timers.cancel(ProbeTick.INSTANCE);
      ctx.getLog().info("notification hub connected with {} other member(s) {} ms after start: ready", others.size(),
          (System.nanoTime() - startedAt) / 1_000_000);
      return;
    }
    if (System.nanoTime() - lastNotReadyLog > 10_000_000_000L) {
      lastNotReadyLog = System.nanoTime();
      ctx.getLog().info("notification hub not connected yet with {}", probe.missing(others));
    }
    mediator.tell(new DistributedPubSubMediator.Publish(TOPIC, new Ping(self, ctx.getSelf().narrow())),
        akka.actor.ActorRef.noSender());
  }
}
