package dev.phantom.tracker;

import static dev.phantom.tracker.TrackerLocalTest.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.CoordinatedShutdown;
import akka.actor.typed.javadsl.Adapter;
import dev.phantom.testkit.Eventually;
import dev.phantom.testkit.Inbox;
import dev.phantom.testkit.TestCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A node that shuts down gracefully removes its entries before it leaves: the others drop them within seconds. */
class TrackerGracefulLeaveTest {
  private TestCluster cluster;

  @BeforeEach
  void start() {
    cluster = TestCluster.start(3);
  }

  @AfterEach
  void stop() {
    cluster.close();
  }

  @Test
  void aLeavingNodesEntriesDisappearBeforeItIsGone() {
    Tracker leaving = Tracker.get(cluster.node(2));
    NodeId leaver = leaving.selfNode();
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      Inbox session = Inbox.spawn(cluster.kit(2));
      String id = leaving.mintId();
      await(leaving.trackSession(session.ref, id));
      ids.add(id);
    }
    Tracker survivor = Tracker.get(cluster.node(0));
    Eventually.await(Duration.ofSeconds(10), () -> ids.stream().allMatch(id -> survivor.getSession(id).isPresent()), "visible");

    long started = System.nanoTime();
    CoordinatedShutdown.get(Adapter.toClassic(cluster.node(2))).run(CoordinatedShutdown.unknownReason());
    // entries owned by the leaver are deleted (not merely hidden): the stats count them per owner
    // without the graceful leave nothing would delete them here (this test cluster downs nobody)
    Eventually.await(Duration.ofSeconds(20),
        () -> !await(survivor.stats(false)).entriesByOwner().containsKey(leaver.toString()), "entries gone");
    long tookMs = (System.nanoTime() - started) / 1_000_000;
    System.out.println("graceful leave: entries gone on a survivor after " + tookMs + " ms");
    assertTrue(ids.stream().allMatch(id -> survivor.getSession(id).isEmpty()));
  }
}
