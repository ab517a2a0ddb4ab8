package dev.phantom.tracker;

/**
 * Marker for every message and value the tracker sends between nodes. {@code reference.conf} binds it
 * to Akka's Jackson CBOR serializer (binding {@code phantom-cbor}), so Java serialization can stay off.
 */
public interface TrackerSerializable {}
