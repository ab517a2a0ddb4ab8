package dev.phantom.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's cluster transport: Artery over TLS with mutual authentication when the operator gives the
 * node a key store ({@code phantom.node.cluster-tls}, from {@code PHANTOM_ARTERY_*}), and the refusal to
 * run plain Artery on an address other processes can reach.
 *
 * <p>With TLS, {@code akka.remote.artery.transport = tls-tcp} and Akka's {@code ConfigSSLEngineProvider}
 * use the key store (the node's key pair, signed by the cluster CA) and the trust store (the cluster
 * CA): both sides of every connection present a certificate and check the other's
 * ({@code require-mutual-authentication = on}), so a process without a key pair signed by the cluster
 * CA can neither join nor send any message to a node. Host names are not verified (nodes share one key
 * pair; the CA is what is trusted).
 */
final class ClusterTransport {
  private static final Logger log = LoggerFactory.getLogger(ClusterTransport.class);
  static final String TLS = "phantom.node.cluster-tls";
  static final String ENGINE = "akka.remote.artery.ssl.config-ssl-engine";

  private ClusterTransport() {}

  /**
   * {@code config} with Artery over TLS when {@code phantom.node.cluster-tls.key-store} is set (system
   * properties still win), else unchanged; then refuses plain Artery on a non-loopback host.
   *
   * @throws IllegalStateException with a message for the operator when the TLS settings are incomplete
   *     or the transport is plain on a non-loopback host without {@code allow-plaintext-cluster}
   */
  static Config configure(Config config) {
    Config effective = withTls(config);
    requireSafePlaintext(effective);
    return effective;
  }

  static Config withTls(Config config) {
    Config tls = config.getConfig(TLS);
    String keyStore = tls.getString("key-store").trim();
    if (keyStore.isEmpty()) return config;
    String trustStore = tls.getString("trust-store").trim();
    String keyPassword = tls.getString("key-store-password");
    String trustPassword = tls.getString("trust-store-password");
    if (trustStore.isEmpty()) {
      throw new IllegalStateException("PHANTOM_ARTERY_KEYSTORE is set but PHANTOM_ARTERY_TRUSTSTORE is not: "
          + "Artery over TLS needs both (scripts/cluster-certs writes them)");
    }
    if (keyPassword.isEmpty() || trustPassword.isEmpty()) {
      throw new IllegalStateException("Artery over TLS needs PHANTOM_ARTERY_KEYSTORE_PASSWORD and "
          + "PHANTOM_ARTERY_TRUSTSTORE_PASSWORD (see the artery-tls.env written by scripts/cluster-certs)");
    }
    for (String f : List.of(keyStore, trustStore)) {
      if (!Files.isReadable(Path.of(f))) throw new IllegalStateException("cannot read the Artery TLS store " + f);
    }
    Map<String, Object> engine = Map.of(
        "key-store", keyStore,
        "key-store-password", keyPassword,
        // PKCS12 stores written by keytool protect the key with the store's password.
        "key-password", keyPassword,
        "trust-store", trustStore,
        "trust-store-password", trustPassword,
        "protocol", tls.getString("protocol"),
        "enabled-algorithms", tls.getStringList("enabled-algorithms"),
        "require-mutual-authentication", true,
        "hostname-verification", false);
    Config overlay = ConfigFactory.empty()
        .withValue("akka.remote.artery.transport", ConfigValueFactory.fromAnyRef("tls-tcp"))
        .withValue("akka.remote.artery.ssl.ssl-engine-provider",
            ConfigValueFactory.fromAnyRef("akka.remote.artery.tcp.ConfigSSLEngineProvider"))
        .withValue(ENGINE, ConfigValueFactory.fromMap(engine));
    return ConfigFactory.systemProperties().withFallback(overlay).withFallback(config).resolve();
  }

  static void requireSafePlaintext(Config config) {
    String transport = config.getString("akka.remote.artery.transport");
    String provider = config.getString("akka.actor.provider");
    boolean remoting = !provider.equals("local") && !provider.equals("akka.actor.LocalActorRefProvider");
    if (transport.equals("tls-tcp") || !remoting) return;
    String canonical = config.getString("akka.remote.artery.canonical.hostname");
    String bind = config.getString("akka.remote.artery.bind.hostname");
    if (bind.isEmpty()) bind = canonical;
    String exposed = !isLoopback(bind) ? bind : !isLoopback(canonical) ? canonical : null;
    if (exposed == null) return;
    if (config.getBoolean("phantom.node.allow-plaintext-cluster")) {
      log.warn("Artery runs without TLS ({}) on {}: any process that reaches port {} can join this cluster "
          + "(PHANTOM_ALLOW_PLAINTEXT_CLUSTER=true)", transport, exposed, config.getInt("akka.remote.artery.canonical.port"));
      return;
    }
    throw new IllegalStateException("refusing to start: Artery (the cluster transport) is plain " + transport
        + " on the non-loopback host " + exposed + ", where any process that reaches its port could join the "
        + "cluster, down nodes and message every actor. Give the node its TLS stores (PHANTOM_ARTERY_KEYSTORE, "
        + "PHANTOM_ARTERY_KEYSTORE_PASSWORD, PHANTOM_ARTERY_TRUSTSTORE, PHANTOM_ARTERY_TRUSTSTORE_PASSWORD; "
        + "scripts/cluster-certs makes them), or set PHANTOM_ALLOW_PLAINTEXT_CLUSTER=true on a network "
        + "nothing else can reach");
  }

  /** True when every address {@code host} names is a loopback address (a name that does not resolve is not). */
  static boolean isLoopback(String host) {
    String h = host.trim();
    if (h.startsWith("[") && h.endsWith("]")) h = h.substring(1, h.length() - 1);
    if (h.isEmpty() || h.startsWith("<")) return false; // <getHostAddress>, <getHostName>: this machine's address
    try {
      for (InetAddress a : InetAddress.getAllByName(h)) {
        if (!a.isLoopbackAddress()) return false;
      }
      return true;
    } catch (UnknownHostException e) {
      return false;
    }
  }
}
