package dev.phantom.presence;

/** Marker of the presence layer's messages that cross nodes; bound to Jackson CBOR (the phantom-cbor binding) in reference.conf. */
public interface PresenceMessage {}
