package dev.phantom.session;

import static org.junit.jupiter.api.Assertions.assertEquals;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import com.typesafe.config.ConfigFactory;
import dev.phantom.mcp.Json;
import dev.phantom.testkit.Eventually;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * A stream's replay buffer is bounded in bytes (the oldest events go first), a resumption releases
 * every event up to its Last-Event-ID, and only the session's principal may resume.
 */
class StreamReplayBufferTest {
  private static final ActorTestKit kit = ActorTestKit.create(ConfigFactory.parseString(
      "phantom.mcp.limits.stream-buffer-size = 1000").withFallback(ConfigFactory.load()));
  private static final McpSettings settings = McpSettings.fromConfig(kit.system().settings().config());
  private static final Pattern SEQ = Pattern.compile("id: [^:\\n]+:(\\d+)\\n");

  @AfterAll
  static void stop() {
    kit.shutdownTestKit();
  }

  /** A connection whose written events' sequence numbers are collected. */
  private static SseSink.Local connection(long id, List<Long> seqs) {
    SseQueue queue = SseQueue.open(64, Duration.ofSeconds(10), Duration.ofMinutes(1), kit.system());
    queue.source(completed -> {}).runForeach(bytes -> {
      Matcher m = SEQ.matcher(bytes.utf8String());
      while (m.find()) seqs.add(Long.parseLong(m.group(1)));
    }, akka.stream.Materializer.matFromSystem(kit.system()));
    return new SseSink.Local(queue, id);
  }

  private static StreamActor.ResumeResult resume(ActorRef<StreamActor.Command> stream, String principal, long after,
      SseSink.Local sink) {
    TestProbe<StreamActor.ResumeReply> reply = kit.createTestProbe();
    stream.tell(new StreamActor.Resume("s1", principal, after, sink, reply.getRef()));
    return reply.receiveMessage().result();
  }

  @Test
  void theBufferKeepsOnlyWhatFitsItsBytesAndAResumptionReleasesWhatTheClientHas() {
    List<Long> first = new CopyOnWriteArrayList<>();
    ActorRef<StreamActor.Command> stream = kit.spawn(StreamActor.createGet("st", "s1", "alice", connection(1, first), settings, null));
    // ten events of ~300 bytes: 1000 bytes hold the last three
    for (int i = 0; i < 10; i++) stream.tell(new StreamActor.Send(Json.object().put("pad", "x".repeat(260))));
    Eventually.await(Duration.ofSeconds(5), () -> first.size() == 10, "all ten written to the first connection");
    stream.tell(new StreamActor.ConnectionLost(1, false));

    List<Long> replayed = new CopyOnWriteArrayList<>();
    assertEquals(StreamActor.ResumeResult.RESUMED, resume(stream, "alice", 0, connection(2, replayed)));
    Eventually.await(Duration.ofSeconds(5), () -> replayed.size() == 3, "the events that fit the bytes are replayed");
    assertEquals(List.of(8L, 9L, 10L), replayed);

    stream.tell(new StreamActor.ConnectionLost(2, false));
    List<Long> afterNine = new CopyOnWriteArrayList<>();
    assertEquals(StreamActor.ResumeResult.RESUMED, resume(stream, "alice", 9, connection(3, afterNine)));
    Eventually.await(Duration.ofSeconds(5), () -> afterNine.size() == 1, "only the event after 9");
    assertEquals(List.of(10L), afterNine);

    // events up to 9 were released by that resumption: a resumption from 0 now finds only the 10th
    stream.tell(new StreamActor.ConnectionLost(3, false));
    List<Long> fromZero = new CopyOnWriteArrayList<>();
    assertEquals(StreamActor.ResumeResult.RESUMED, resume(stream, "alice", 0, connection(4, fromZero)));
    Eventually.await(Duration.ofSeconds(5), () -> fromZero.size() == 1, "released events are gone");
    assertEquals(List.of(10L), fromZero);
  }

  @Test
  void onlyTheSessionsPrincipalResumes() {
    ActorRef<StreamActor.Command> stream = kit.spawn(StreamActor.createGet("st2", "s1", "alice",
        connection(1, new CopyOnWriteArrayList<>()), settings, null));
    stream.tell(new StreamActor.Send(Json.object().put("n", 1)));
    List<Long> seen = new CopyOnWriteArrayList<>();
    assertEquals(StreamActor.ResumeResult.OTHER_PRINCIPAL, resume(stream, "mallory", 0, connection(2, seen)));
    assertEquals(StreamActor.ResumeResult.OTHER_PRINCIPAL, resume(stream, null, 0, connection(3, seen)));
    assertEquals(StreamActor.ResumeResult.RESUMED, resume(stream, "alice", 0, connection(4, seen)));
    Eventually.await(Duration.ofSeconds(5), () -> seen.equals(List.of(1L)), "only alice's connection got the event");
  }
}
