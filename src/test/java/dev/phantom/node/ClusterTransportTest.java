package dev.phantom.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The node's choice of cluster transport: TLS when given stores, no plain Artery on reachable hosts. */
class ClusterTransportTest {
  private static Config node(String... lines) {
    return ConfigFactory.parseString(String.join("\n", lines)).withFallback(PhantomNode.loadConfig()).resolve();
  }

  @Test
  void theDefaultNodeRunsPlainArteryOnLoopback() {
    Config c = node("phantom.node.cluster-tls.key-store = \"\"");
    assertSame(c, ClusterTransport.configure(c));
    assertEquals("tcp", c.getString("akka.remote.artery.transport"));
  }

  @Test
  void plainArteryOnAReachableHostIsRefusedUnlessAllowed() {
    String empty = "phantom.node.cluster-tls.key-store = \"\"";
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> ClusterTransport.configure(node(empty, "akka.remote.artery.bind.hostname = \"0.0.0.0\"")));
    assertTrue(e.getMessage().contains("PHANTOM_ALLOW_PLAINTEXT_CLUSTER"), e.getMessage());
    assertThrows(IllegalStateException.class,
        () -> ClusterTransport.configure(node(empty, "akka.remote.artery.canonical.hostname = \"192.0.2.7\"")));
    ClusterTransport.configure(node(empty, "akka.remote.artery.canonical.hostname = \"192.0.2.7\"",
        "phantom.node.allow-plaintext-cluster = true"));
    ClusterTransport.configure(node(empty, "akka.remote.artery.canonical.hostname = localhost"));
  }

  @Test
  void loopback() {
    assertTrue(ClusterTransport.isLoopback("127.0.0.1"));
    assertTrue(ClusterTransport.isLoopback("127.0.1.1"));
    assertTrue(ClusterTransport.isLoopback("[::1]"));
    assertFalse(ClusterTransport.isLoopback("0.0.0.0"));
    assertFalse(ClusterTransport.isLoopback("10.1.2.3"));
    assertFalse(ClusterTransport.isLoopback("<getHostAddress>"));
    assertFalse(ClusterTransport.isLoopback("no-such-host.invalid"));
  }

  @Test
  void aKeyStoreSelectsTlsWithMutualAuthentication() throws Exception {
    Path ks = Files.createTempFile("ks", ".p12");
    Path ts = Files.createTempFile("ts", ".p12");
    try {
      Config c = ClusterTransport.configure(node(
          "phantom.node.cluster-tls.key-store = \"" + ks + "\"",
          "phantom.node.cluster-tls.trust-store = \"" + ts + "\"",
          "phantom.node.cluster-tls.key-store-password = k",
          "phantom.node.cluster-tls.trust-store-password = t",
          // TLS: a reachable host is fine.
          "akka.remote.artery.bind.hostname = \"0.0.0.0\""));
      assertEquals("tls-tcp", c.getString("akka.remote.artery.transport"));
      Config engine = c.getConfig(ClusterTransport.ENGINE);
      assertEquals(ks.toString(), engine.getString("key-store"));
      assertEquals("k", engine.getString("key-password"));
      assertEquals(ts.toString(), engine.getString("trust-store"));
      assertTrue(engine.getBoolean("require-mutual-authentication"));
      assertEquals("TLSv1.3", engine.getString("protocol"));
      assertThrows(IllegalStateException.class, () -> ClusterTransport.configure(node(
          "phantom.node.cluster-tls.key-store = \"" + ks + "\"", "phantom.node.cluster-tls.trust-store = \"\"")));
    } finally {
      Files.deleteIfExists(ks);
      Files.deleteIfExists(ts);
    }
  }
}
