package dev.phantom.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.util.List;
import org.junit.jupiter.api.Test;

class HostSettingsCheckTest {
  private static Config with(String settings) {
    return ConfigFactory.parseString(settings).withFallback(ConfigFactory.load()).resolve();
  }

  @Test
  void aClusterWithAkkasDefaultsIsToldToRaiseTheOutboundQueueAndToDownCrashedMembers() {
    List<String> advice = HostSettingsCheck.advice(with("akka.actor.provider = cluster"));
    assertEquals(2, advice.size(), advice.toString());
    assertTrue(advice.get(0).contains("outbound-message-queue-size = 16384 (now 3072)"), advice.get(0));
    assertTrue(advice.get(1).contains("downing-provider-class = \"akka.cluster.sbr.SplitBrainResolverProvider\""),
        advice.get(1));
  }

  @Test
  void theLibraryTurnsOffTheHeaderCacheForMcpHeadersOnly() {
    Config config = ConfigFactory.load();
    assertEquals(0, config.getInt("akka.http.server.parsing.header-cache.\"Mcp-Session-Id\""));
    assertEquals(0, config.getInt("akka.http.server.parsing.header-cache.\"Last-Event-ID\""));
    // akka-http's own defaults are untouched (the server falls back to them).
    assertEquals(12, config.getInt("akka.http.parsing.header-cache.default"));
    assertEquals(32, config.getInt("akka.http.parsing.header-cache.User-Agent"));
  }

  @Test
  void aHostThatCachesSessionIdsIsToldWhatToSet() {
    List<String> advice = HostSettingsCheck.advice(with("""
        akka.actor.provider = cluster
        akka.remote.artery.advanced.outbound-message-queue-size = 16384
        akka.cluster.downing-provider-class = "akka.cluster.sbr.SplitBrainResolverProvider"
        akka.http.server.parsing.header-cache { "Mcp-Session-Id" = 12, "mcp-session-id" = 12 }
        """));
    assertEquals(1, advice.size(), advice.toString());
    assertTrue(advice.get(0).contains("\"Mcp-Session-Id\" = 0"), advice.get(0));
  }

  @Test
  void theNodesSettingsNeedNothing() {
    assertEquals(List.of(), HostSettingsCheck.advice(
        ConfigFactory.parseResources("META-INF/phantom/application.conf").withFallback(ConfigFactory.load()).resolve()));
  }

  @Test
  void aLocalSystemNeedsNoArterySetting() {
    List<String> advice = HostSettingsCheck.advice(with("akka.actor.provider = local"));
    assertTrue(advice.stream().noneMatch(a -> a.contains("artery")), advice.toString());
  }
}
