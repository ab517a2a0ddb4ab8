package dev.phantom.session;

/** Marker of the session layer's messages that may cross nodes; bound to jackson-cbor in reference.conf. */
public interface ClusterMessage {}
