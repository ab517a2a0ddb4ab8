package dev.phantom.tracker;

import dev.phantom.presence.SessionTracker;
import static dev.phantom.tracker.TrackerLocalTest.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.typed.ActorRef;
import akka.actor.typed.javadsl.Behaviors;
import dev.phantom.testkit.Eventually;
import dev.phantom.testkit.TestCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** 10,000 sessions replicate to every node, and no Distributed Data key comes near the remote frame size. */
class TrackerScaleTest {
  private static final int SESSIONS = 10_000;
  private static TestCluster cluster;

  @BeforeAll
  static void start() {
    cluster = TestCluster.start(3);
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  @Test
  void tenThousandSessionsReplicateWithinTheFrameSize() {
    // Every error any node logs; a replication message over the Artery frame is logged as an error.
    java.util.Queue<String> errors = new java.util.concurrent.ConcurrentLinkedQueue<>();
    for (int node = 0; node < 3; node++) {
      ActorRef<akka.event.Logging.Error> sink = cluster.kit(node).spawn(Behaviors.receive(akka.event.Logging.Error.class)
          .onAnyMessage(e -> {
            errors.add(e.message() + " " + (e.cause() == null ? "" : e.cause().toString()));
            return Behaviors.same();
          }).build());
      cluster.node(node).eventStream().tell(new akka.actor.typed.eventstream.EventStream.Subscribe<>(
          akka.event.Logging.Error.class, sink));
    }
    SessionTracker writer = SessionTracker.get(cluster.node(0));
    List<CompletableFuture<TrackResult>> tracked = new ArrayList<>();
    for (int i = 0; i < SESSIONS; i++) {
      ActorRef<Void> session = cluster.kit(0).spawn(Behaviors.empty());
      tracked.add(writer.trackSession(session, writer.tracker().mintId()).toCompletableFuture());
    }
    tracked.forEach(TrackerLocalTest::await);
    String owner = writer.tracker().selfNode().toString();
    long frameSize = cluster.node(1).settings().config().getBytes("akka.remote.artery.advanced.maximum-frame-size");
    for (int node = 1; node < 3; node++) {
      SessionTracker reader = SessionTracker.get(cluster.node(node));
      Eventually.await(Duration.ofSeconds(180),
          () -> await(reader.tracker().stats(false)).entriesByOwner().getOrDefault(owner, 0) == SESSIONS,
          () -> "all sessions on " + reader.tracker().selfNode() + ": " + await(reader.tracker().stats(false)).entriesByOwner());
      TrackerStats stats = await(reader.tracker().stats(true));
      assertTrue(stats.largestKeyBytes() > 0 && stats.largestKeyBytes() < frameSize / 2,
          "largest key " + stats.largestKeyBytes() + " bytes (" + stats.largestKeyEntries() + " entries) vs frame "
              + frameSize);
    }
    assertTrue(errors.stream().noneMatch(e -> e.toLowerCase(java.util.Locale.ROOT).contains("oversized")),
        () -> "a replication message exceeded the frame: " + errors);
  }
}
