package dev.phantom.stateless;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.phantom.mcp.InputRounds;
import dev.phantom.mcp.Json;
import dev.phantom.mcp.McpError;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class StateSealTest {
  private static final byte[] KEY_A = key(1);
  private static final byte[] KEY_B = key(2);
  private final MutableClock clock = new MutableClock();
  private final ObjectNode params = Json.parseObject("{\"name\":\"t\",\"arguments\":{\"x\":1,\"y\":[1,2]}}");
  private final InputRounds.Round round = new InputRounds.Round(
      Map.of("step1", Json.parseObject("{\"action\":\"accept\",\"content\":{\"a\":1}}")), "app-state", Set.of("step2"));

  @Test
  void aSealedRoundOpensOnAnyNodeHoldingTheKey() {
    String token = seal(List.of(KEY_A)).seal(round, "tools/call", params, "alice");
    InputRounds.Round opened = seal(List.of(KEY_A)).open(token, "tools/call", params, "alice");
    assertEquals(round.answers(), opened.answers());
    assertEquals("app-state", opened.state());
    assertEquals(Set.of("step2"), opened.asked());
  }

  @Test
  void theStateIsEncryptedNotJustSigned() {
    String token = seal(List.of(KEY_A)).seal(round, "tools/call", params, "alice");
    String decoded = new String(Base64.getUrlDecoder().decode(token), java.nio.charset.StandardCharsets.ISO_8859_1);
    assertTrue(!decoded.contains("app-state") && !decoded.contains("step1"), "plain text visible in the token");
  }

  @Test
  void anyChangedByteIsRefused() {
    StateSeal seal = seal(List.of(KEY_A));
    String token = seal.seal(round, "tools/call", params, "alice");
    byte[] raw = Base64.getUrlDecoder().decode(token);
    for (int i = 0; i < raw.length; i++) {
      byte[] changed = raw.clone();
      changed[i] ^= 0x01;
      String tampered = Base64.getUrlEncoder().withoutPadding().encodeToString(changed);
      assertRefused(() -> seal.open(tampered, "tools/call", params, "alice"));
    }
    assertRefused(() -> seal.open(token + "-TAMPERED", "tools/call", params, "alice"));
    assertRefused(() -> seal.open("", "tools/call", params, "alice"));
    assertRefused(() -> seal.open("not base64 !!", "tools/call", params, "alice"));
  }

  @Test
  void aStateIsBoundToMethodParamsAndPrincipal() {
    StateSeal seal = seal(List.of(KEY_A));
    String token = seal.seal(round, "tools/call", params, "alice");
    assertRefused(() -> seal.open(token, "prompts/get", params, "alice"));
    assertRefused(() -> seal.open(token, "tools/call", Json.parseObject("{\"name\":\"t\",\"arguments\":{\"x\":2,\"y\":[1,2]}}"), "alice"));
    assertRefused(() -> seal.open(token, "tools/call", params, "mallory"));
    assertRefused(() -> seal.open(token, "tools/call", params, null));
    String anonymous = seal.seal(round, "tools/call", params, null);
    assertRefused(() -> seal.open(anonymous, "tools/call", params, "alice"));
    assertEquals("app-state", seal.open(anonymous, "tools/call", params, null).state());
  }

  @Test
  void theDigestIgnoresKeyOrderMetaAndTheRoundsOwnFields() {
    StateSeal seal = seal(List.of(KEY_A));
    String token = seal.seal(round, "tools/call", params, "alice");
    ObjectNode retry = Json.parseObject("{\"arguments\":{\"y\":[1,2],\"x\":1},\"name\":\"t\","
        + "\"_meta\":{\"io.modelcontextprotocol/protocolVersion\":\"2026-07-28\"},\"inputResponses\":{},\"requestState\":\"s\"}");
    assertEquals("app-state", seal.open(token, "tools/call", retry, "alice").state());
    assertNotEquals(StateSeal.digest(params), StateSeal.digest(Json.parseObject("{\"name\":\"t\",\"arguments\":{\"x\":1,\"y\":[2,1]}}")));
  }

  @Test
  void anExpiredStateIsRefused() {
    StateSeal seal = seal(List.of(KEY_A));
    String token = seal.seal(round, "tools/call", params, "alice");
    clock.advance(Duration.ofMinutes(10));
    seal.open(token, "tools/call", params, "alice");
    clock.advance(Duration.ofMillis(1));
    McpError e = assertRefused(() -> seal.open(token, "tools/call", params, "alice"));
    assertTrue(e.getMessage().contains("expired"), e.getMessage());
  }

  @Test
  void rotationOpensWithEveryKeyAndSealsWithTheFirst() {
    String old = seal(List.of(KEY_A)).seal(round, "tools/call", params, "alice");
    StateSeal rotated = seal(List.of(KEY_B, KEY_A));
    assertEquals("app-state", rotated.open(old, "tools/call", params, "alice").state());
    String fresh = rotated.seal(round, "tools/call", params, "alice");
    assertEquals("app-state", seal(List.of(KEY_B)).open(fresh, "tools/call", params, "alice").state());
    McpError e = assertRefused(() -> seal(List.of(KEY_B)).open(old, "tools/call", params, "alice"));
    assertTrue(e.getMessage().contains("no longer holds"), e.getMessage());
  }

  @Test
  void aRoundWithoutStateStaysWithoutState() {
    InputRounds.Round bare = new InputRounds.Round(Map.of(), null, Set.of("k"));
    StateSeal seal = seal(List.of(KEY_A));
    assertNull(seal.open(seal.seal(bare, "tools/call", params, null), "tools/call", params, null).state());
  }

  @Test
  void keysMustBe32Bytes() {
    assertThrows(IllegalArgumentException.class, () -> seal(List.of(new byte[16])));
    assertThrows(IllegalArgumentException.class, () -> seal(List.of()));
  }

  private StateSeal seal(List<byte[]> keys) {
    return new StateSeal(keys, Duration.ofMinutes(10), clock);
  }

  private static McpError assertRefused(org.junit.jupiter.api.function.Executable open) {
    McpError e = assertThrows(McpError.class, open);
    assertEquals(McpError.INVALID_PARAMS, e.code());
    return e;
  }

  private static byte[] key(int seed) {
    byte[] k = new byte[32];
    for (int i = 0; i < k.length; i++) k[i] = (byte) (seed * 31 + i);
    return k;
  }

  private static final class MutableClock extends Clock {
    private Instant now = Instant.parse("2026-12-05T00:00:00Z");

    void advance(Duration d) {
      now = now.plus(d);
    }

    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    public Instant instant() {
      return now;
    }
  }
}
