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
  void aClusterWithAkkasDefaultsIsToldWhatToSet() {
    List<String> advice = HostSettingsCheck.advice(with("akka.actor.provider = cluster"));
    assertEquals(3, advice.size(), advice.toString());
    assertTrue(advice.get(0).contains("outbound-message-queue-size = 16384"), advice.get(0));
    assertTrue(advice.get(1).contains("Mcp-Session-Id"), advice.get(1));
  }

  @Test
  void theNodesSettingsNeedNothing() {
    assertEquals(List.of(), HostSettingsCheck.advice(with("""
        akka.actor.provider = cluster
        akka.remote.artery.advanced.outbound-message-queue-size = 16384
        akka.http.server.parsing.header-cache { "Mcp-Session-Id" = 0, "Last-Event-ID" = 0 }
        """)));
  }

  @Test
  void aLocalSystemNeedsNoArterySetting() {
    List<String> advice = HostSettingsCheck.advice(with("akka.actor.provider = local"));
    assertTrue(advice.stream().noneMatch(a -> a.contains("artery")), advice.toString());
  }
}
