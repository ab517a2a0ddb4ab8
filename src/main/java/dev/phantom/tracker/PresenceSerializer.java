package dev.phantom.tracker;

import akka.actor.ExtendedActorSystem;
import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorRefResolver;
import akka.actor.typed.javadsl.Adapter;
import akka.serialization.SerializerWithStringManifest;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.NotSerializableException;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * The wire form of a {@link Presence}, the value of every replicated tracker entry. Distributed Data
 * serializes whole keys for gossip and for its change digests, so this runs once per entry per
 * gossiped key: measured on a 3-node cluster tracking entries in bursts, the generic jackson-cbor form was a
 * quarter of a node's CPU. This one is a fixed field order with a version byte; the metadata map (free
 * JSON-like values) is plain JSON, empty when absent.
 *
 * <p>Bound in {@code reference.conf} to {@code Presence} only; the tracker's messages stay on
 * jackson-cbor.
 */
public final class PresenceSerializer extends SerializerWithStringManifest {
  static final int IDENTIFIER = 7391;
  private static final String MANIFEST = "P";
  private static final byte VERSION = 1;
  private static final byte KEY_ID = 0;
  private static final byte KEY_IN_FLIGHT = 1;
  // Same content, same bytes: Distributed Data compares keys by a digest of their serialized form.
  private static final ObjectMapper META =
      JsonMapper.builder().enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS).build();
  private static final TypeReference<Map<String, Object>> META_TYPE = new TypeReference<>() {};

  private final ActorRefResolver resolver;

  public PresenceSerializer(ExtendedActorSystem system) {
    this.resolver = ActorRefResolver.get(Adapter.toTyped(system));
  }

  @Override
  public int identifier() {
    return IDENTIFIER;
  }

  @Override
  public String manifest(Object o) {
    return MANIFEST;
  }

  /** The bytes an entry's key and metadata take on the wire (UTF-8 key, metadata as JSON). */
  static int entrySize(TrackerKey key, Map<String, Object> meta) {
    int keyBytes = key instanceof TrackerKey.Claim c
        ? utf8Length(c.scope()) + utf8Length(c.name())
        : utf8Length(((TrackerKey.Id) key).value());
    try {
      return keyBytes + (meta.isEmpty() ? 0 : META.writeValueAsBytes(meta).length);
    } catch (IOException e) {
      return Integer.MAX_VALUE;
    }
  }

  private static int utf8Length(String s) {
    return s.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
  }

  @Override
  public byte[] toBinary(Object o) {
    if (!(o instanceof Presence p)) throw new IllegalArgumentException("not a Presence: " + o.getClass());
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(160);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeByte(VERSION);
      out.writeUTF(p.topic());
      if (p.key() instanceof TrackerKey.Claim f) {
        out.writeByte(KEY_IN_FLIGHT);
        out.writeUTF(f.scope());
        out.writeUTF(f.name());
      } else {
        out.writeByte(KEY_ID);
        out.writeUTF(((TrackerKey.Id) p.key()).value());
      }
      out.writeUTF(resolver.toSerializationFormat(p.ref()));
      out.writeUTF(p.owner().address());
      out.writeLong(p.owner().uid());
      out.writeLong(p.trackedAt());
      byte[] meta = p.meta().isEmpty() ? new byte[0] : META.writeValueAsBytes(p.meta());
      out.writeInt(meta.length);
      out.write(meta);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  @Override
  public Object fromBinary(byte[] bytes, String manifest) throws NotSerializableException {
    if (!MANIFEST.equals(manifest)) throw new NotSerializableException("unknown manifest " + manifest);
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
      byte version = in.readByte();
      if (version != VERSION) throw new NotSerializableException("unknown Presence version " + version);
      String topic = in.readUTF();
      byte keyKind = in.readByte();
      TrackerKey key = keyKind == KEY_IN_FLIGHT ? new TrackerKey.Claim(in.readUTF(), in.readUTF())
          : new TrackerKey.Id(in.readUTF());
      ActorRef<Object> ref = resolver.resolveActorRef(in.readUTF());
      NodeId owner = new NodeId(in.readUTF(), in.readLong());
      long trackedAt = in.readLong();
      byte[] meta = new byte[in.readInt()];
      in.readFully(meta);
      return new Presence(topic, key, ref, owner, meta.length == 0 ? Map.of() : META.readValue(meta, META_TYPE), trackedAt);
    } catch (IOException e) {
      NotSerializableException failure = new NotSerializableException("corrupt Presence: " + e.getMessage());
      failure.initCause(e);
      throw failure;
    }
  }
}
