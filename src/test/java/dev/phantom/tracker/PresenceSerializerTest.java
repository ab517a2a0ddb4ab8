package dev.phantom.tracker;

import dev.phantom.presence.SessionTracker;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.javadsl.Adapter;
import akka.serialization.Serialization;
import akka.serialization.SerializationExtension;
import akka.serialization.Serializers;
import com.typesafe.config.ConfigFactory;
import java.io.NotSerializableException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The replicated form of an entry: bound to Presence, exact round trip, deterministic bytes. */
class PresenceSerializerTest {
  private static ActorTestKit kit;
  private static Serialization serialization;

  @BeforeAll
  static void start() {
    kit = ActorTestKit.create(ConfigFactory.parseString(
        "akka.actor.provider = cluster\n"
            + "akka.remote.artery.canonical.hostname = 127.0.0.1\n"
            + "akka.remote.artery.canonical.port = 0\n"));
    serialization = SerializationExtension.get(Adapter.toClassic(kit.system()));
  }

  @AfterAll
  static void stop() {
    kit.shutdownTestKit();
  }

  private static Object roundTrip(Object value) {
    byte[] bytes = serialization.serialize(value).get();
    akka.serialization.Serializer serializer = serialization.findSerializerFor(value);
    return serialization.deserialize(bytes, serializer.identifier(), Serializers.manifestFor(serializer, value)).get();
  }

  @Test
  void presenceUsesItsOwnSerializerAndRoundTripsExactly() {
    TestProbe<Object> probe = kit.createTestProbe();
    Map<String, Object> meta = new LinkedHashMap<>();
    meta.put("protocolVersion", "2025-11-25");
    meta.put("count", 3);
    meta.put("nested", Map.of("flag", true, "list", List.of("a", "b")));
    NodeId owner = new NodeId("akka://phantom@127.0.0.1:25520", 0x1234_5678_9abcL);
    for (Presence p : List.of(
        new Presence(SessionTracker.SESSIONS_TOPIC, TrackerKey.id("s-1"), probe.ref(), owner, meta, 1_700_000_000_123L),
        new Presence(SessionTracker.REQUESTS_TOPIC, new TrackerKey.Claim("s-1", "\"req\""), probe.ref(), owner, Map.of(), 7L))) {
      assertInstanceOf(PresenceSerializer.class, serialization.findSerializerFor(p));
      Object back = roundTrip(p);
      assertEquals(p, back);
      assertEquals(p.ref().path(), ((Presence) back).ref().path());
    }
  }

  @Test
  void equalEntriesGiveEqualBytesWhateverTheMetaOrder() {
    TestProbe<Object> probe = kit.createTestProbe();
    NodeId owner = new NodeId("akka://phantom@127.0.0.1:25520", 42);
    Map<String, Object> ab = new LinkedHashMap<>();
    ab.put("a", 1);
    ab.put("b", "two");
    Map<String, Object> ba = new LinkedHashMap<>();
    ba.put("b", "two");
    ba.put("a", 1);
    Presence one = new Presence(SessionTracker.SESSIONS_TOPIC, TrackerKey.id("x"), probe.ref(), owner, ab, 9L);
    Presence two = new Presence(SessionTracker.SESSIONS_TOPIC, TrackerKey.id("x"), probe.ref(), owner, ba, 9L);
    assertArrayEquals(serialization.serialize(one).get(), serialization.serialize(two).get());
  }

  @Test
  void corruptBytesAreRefusedNotMisread() throws Exception {
    PresenceSerializer serializer = (PresenceSerializer) serialization.serializerFor(Presence.class);
    assertThrows(NotSerializableException.class, () -> serializer.fromBinary(new byte[] {9, 0, 1}, "P"));
    assertThrows(NotSerializableException.class, () -> serializer.fromBinary(new byte[] {1, 0}, "P"));
    assertThrows(NotSerializableException.class, () -> serializer.fromBinary(new byte[] {1}, "other"));
  }
}
