package dev.phantom.session;

/** Marker of the session layer's messages that may cross nodes; bound to Jackson CBOR (the phantom-cbor binding) in reference.conf. */
public interface ClusterMessage {}
