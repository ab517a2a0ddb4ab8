package dev.phantom.presence;

/** Marker of the presence layer's messages that cross nodes; bound to jackson-cbor in reference.conf. */
public interface PresenceMessage {}
