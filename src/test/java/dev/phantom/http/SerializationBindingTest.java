package dev.phantom.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Adapter;
import akka.actor.typed.javadsl.Behaviors;
import akka.serialization.Serialization;
import akka.serialization.SerializationExtension;
import akka.serialization.Serializer;
import akka.serialization.Serializers;
import akka.serialization.jackson.JacksonCborSerializer;
import akka.serialization.jackson.JacksonObjectMapperProvider;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import com.typesafe.config.ConfigFactory;
import dev.phantom.presence.NotificationHub;
import dev.phantom.tracker.NodeId;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Phantom's cluster messages use their own Jackson CBOR binding ({@code phantom-cbor}), so the settings
 * they need never change the host application's {@code jackson-cbor} binding. The system has a name of
 * the host's choosing, not "phantom".
 */
class SerializationBindingTest {
  private static ActorSystem<Void> system;
  private static Serialization serialization;

  @BeforeAll
  static void start() {
    system = ActorSystem.create(Behaviors.empty(), "host-service", ConfigFactory.parseString("""
        akka.actor.provider = local
        akka.actor.serialize-messages = off
        """).withFallback(ConfigFactory.load()));
    serialization = SerializationExtension.get(Adapter.toClassic(system));
  }

  @AfterAll
  static void stop() {
    system.terminate();
  }

  @Test
  void everyKindOfClusterMessageIsBoundToPhantomCborAndRoundTrips() {
    List<Object> messages = List.of(
        new NodeId("akka://host-service@127.0.0.1:25520", 42),            // dev.phantom.tracker.TrackerSerializable
        new NotificationHub.Pong("akka://host-service@127.0.0.1:25520"),  // dev.phantom.presence.PresenceMessage
        new CatalogueSync.Applied(true));                                 // dev.phantom.session.ClusterMessage
    for (Object message : messages) {
      Serializer serializer = serialization.findSerializerFor(message);
      assertTrue(serializer instanceof JacksonCborSerializer, message + ": " + serializer);
      assertEquals(7392, serializer.identifier(), message.toString());
      assertEquals("phantom-cbor", ((JacksonCborSerializer) serializer).bindingName(), message.toString());
      byte[] bytes = serialization.serialize(message).get();
      Object back = serialization.deserialize(bytes, serializer.identifier(),
          Serializers.manifestFor(serializer, message)).get();
      assertEquals(message, back);
    }
  }

  @Test
  void orderedMapKeysApplyToPhantomCborOnly() {
    JacksonObjectMapperProvider mappers = JacksonObjectMapperProvider.get(Adapter.toClassic(system));
    ObjectMapper ours = mappers.getOrCreate("phantom-cbor", Optional.of(new CBORFactory()));
    ObjectMapper hosts = mappers.getOrCreate("jackson-cbor", Optional.of(new CBORFactory()));
    assertTrue(ours.isEnabled(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS));
    assertFalse(hosts.isEnabled(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS));
    assertFalse(system.settings().config().hasPath(
        "akka.serialization.jackson.jackson-cbor.serialization-features.ORDER_MAP_ENTRIES_BY_KEYS"));
  }
}
