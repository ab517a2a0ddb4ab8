package dev.phantom.stateless;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.phantom.mcp.InputRounds;
import dev.phantom.mcp.Json;
import dev.phantom.mcp.McpError;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Seals and opens the {@code requestState} of a 2026-07-28 {@code input_required} result: one round of
 * {@link InputRounds} (the answers so far, the handler's state, the keys just asked) encrypted and
 * authenticated with AES-256-GCM under a key every node of the cluster shares, so the client's retry
 * is verified on whichever node it reaches. A sealed state is bound to the request's method, a digest
 * of its params (without {@code _meta}, {@code inputResponses} and {@code requestState}), the principal
 * and an expiry; a state that was changed, has expired, was sealed for another request or principal,
 * or under a key no longer held is refused with -32602 and the request does nothing else.
 *
 * <p>Keys: the first seals, all open (rotation: give every node the new key second, then first, then
 * drop the old one once the TTL has passed). A token names its key by a 4-byte id derived from the key.
 *
 * <pre>{@code
 * StateSeal seal = new StateSeal(List.of(key), Duration.ofMinutes(10), Clock.systemUTC());
 * String token = seal.seal(round, "tools/call", params, principal);
 * InputRounds.Round same = seal.open(token, "tools/call", params, principal);
 * }</pre>
 */
public final class StateSeal {
  private static final byte FORMAT = 1;
  private static final int NONCE_BYTES = 12;
  private static final int TAG_BITS = 128;
  private static final byte[] AAD = "phantom/requestState/1".getBytes(StandardCharsets.US_ASCII);
  private static final SecureRandom RANDOM = new SecureRandom();

  private record Key(int id, SecretKeySpec spec) {}

  private final List<Key> keys;
  private final Duration ttl;
  private final Clock clock;

  /** {@code keys}: 32-byte AES keys, the first seals; {@code ttl}: how long a sealed state opens. */
  public StateSeal(List<byte[]> keys, Duration ttl, Clock clock) {
    if (keys.isEmpty()) throw new IllegalArgumentException("at least one key is needed");
    List<Key> ring = new ArrayList<>();
    for (byte[] k : keys) {
      if (k.length != 32) throw new IllegalArgumentException("a requestState key is 32 bytes, got " + k.length);
      ring.add(new Key(keyId(k), new SecretKeySpec(k.clone(), "AES")));
    }
    this.keys = List.copyOf(ring);
    this.ttl = ttl;
    this.clock = clock;
  }

  /** A fresh random 32-byte key (a single node's key when none is configured). */
  public static byte[] randomKey() {
    byte[] key = new byte[32];
    RANDOM.nextBytes(key);
    return key;
  }

  /** Seals {@code round} for a retry of {@code method} with the same {@code params} by {@code principal} (nullable). */
  public String seal(InputRounds.Round round, String method, JsonNode params, String principal) {
    ObjectNode body = Json.object()
        .put("m", method)
        .put("d", digest(params))
        .put("p", principal == null ? "" : principal)
        .put("e", clock.millis() + ttl.toMillis());
    ObjectNode answers = body.putObject("a");
    round.answers().forEach(answers::set);
    ArrayNode asked = body.putArray("k");
    round.asked().forEach(asked::add);
    if (round.state() != null) body.put("s", round.state());
    byte[] plain = Json.writeBytes(body);
    Key key = keys.get(0);
    byte[] nonce = new byte[NONCE_BYTES];
    RANDOM.nextBytes(nonce);
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.ENCRYPT_MODE, key.spec(), new GCMParameterSpec(TAG_BITS, nonce));
      cipher.updateAAD(AAD);
      byte[] sealed = cipher.doFinal(plain);
      ByteBuffer out = ByteBuffer.allocate(1 + 4 + NONCE_BYTES + sealed.length);
      out.put(FORMAT).putInt(key.id()).put(nonce).put(sealed);
      return Base64.getUrlEncoder().withoutPadding().encodeToString(out.array());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM is not available", e);
    }
  }

  /**
   * Opens a state the client echoed. Throws {@link McpError} (-32602) when it is malformed, fails
   * authentication, has expired, or was sealed for another method, params or principal.
   */
  public InputRounds.Round open(String token, String method, JsonNode params, String principal) {
    ObjectNode body = decrypt(token);
    if (clock.millis() > body.path("e").asLong(0)) {
      throw refused("requestState has expired; call again without it");
    }
    if (!method.equals(body.path("m").asText()) || !digest(params).equals(body.path("d").asText())) {
      throw refused("requestState belongs to another request (method or params differ)");
    }
    if (!(principal == null ? "" : principal).equals(body.path("p").asText())) {
      throw refused("requestState belongs to another principal");
    }
    Map<String, JsonNode> answers = new LinkedHashMap<>();
    body.path("a").fields().forEachRemaining(e -> answers.put(e.getKey(), e.getValue()));
    Set<String> asked = new LinkedHashSet<>();
    body.path("k").forEach(k -> asked.add(k.asText()));
    JsonNode state = body.get("s");
    return new InputRounds.Round(answers, state == null ? null : state.asText(), asked);
  }

  private ObjectNode decrypt(String token) {
    byte[] raw;
    try {
      raw = Base64.getUrlDecoder().decode(token);
    } catch (IllegalArgumentException e) {
      throw refused("requestState is not valid (it must be echoed unchanged)");
    }
    if (raw.length < 1 + 4 + NONCE_BYTES + TAG_BITS / 8 || raw[0] != FORMAT) {
      throw refused("requestState is not valid (it must be echoed unchanged)");
    }
    ByteBuffer in = ByteBuffer.wrap(raw);
    in.get();
    int keyId = in.getInt();
    Key key = keys.stream().filter(k -> k.id() == keyId).findFirst()
        .orElseThrow(() -> refused("requestState was sealed with a key this server no longer holds; call again without it"));
    byte[] nonce = new byte[NONCE_BYTES];
    in.get(nonce);
    byte[] sealed = new byte[in.remaining()];
    in.get(sealed);
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.DECRYPT_MODE, key.spec(), new GCMParameterSpec(TAG_BITS, nonce));
      cipher.updateAAD(AAD);
      JsonNode body = Json.parse(cipher.doFinal(sealed));
      if (!(body instanceof ObjectNode o)) throw refused("requestState is not valid (it must be echoed unchanged)");
      return o;
    } catch (javax.crypto.AEADBadTagException e) {
      throw refused("requestState failed its integrity check (it must be echoed unchanged)");
    } catch (GeneralSecurityException | java.io.IOException e) {
      throw refused("requestState is not valid (it must be echoed unchanged)");
    }
  }

  private static McpError refused(String why) {
    return McpError.invalidParams(why);
  }

  /** SHA-256 over the canonical JSON (keys sorted) of the params that define the request. */
  static String digest(JsonNode params) {
    ObjectNode defining = Json.object();
    if (params != null && params.isObject()) {
      params.fields().forEachRemaining(e -> {
        String name = e.getKey();
        if (!name.equals("_meta") && !name.equals("inputResponses") && !name.equals("requestState")) defining.set(name, e.getValue());
      });
    }
    StringBuilder canonical = new StringBuilder();
    canonicalize(defining, canonical);
    try {
      byte[] hash = MessageDigest.getInstance("SHA-256").digest(canonical.toString().getBytes(StandardCharsets.UTF_8));
      return Base64.getUrlEncoder().withoutPadding().encodeToString(hash);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("SHA-256 is not available", e);
    }
  }

  private static void canonicalize(JsonNode node, StringBuilder out) {
    if (node.isObject()) {
      TreeMap<String, JsonNode> sorted = new TreeMap<>();
      node.fields().forEachRemaining(e -> sorted.put(e.getKey(), e.getValue()));
      out.append('{');
      Iterator<Map.Entry<String, JsonNode>> it = sorted.entrySet().iterator();
      while (it.hasNext()) {
        Map.Entry<String, JsonNode> e = it.next();
        out.append(Json.write(com.fasterxml.jackson.databind.node.TextNode.valueOf(e.getKey()))).append(':');
        canonicalize(e.getValue(), out);
        if (it.hasNext()) out.append(',');
      }
      out.append('}');
    } else if (node.isArray()) {
      out.append('[');
      for (int i = 0; i < node.size(); i++) {
        if (i > 0) out.append(',');
        canonicalize(node.get(i), out);
      }
      out.append(']');
    } else {
      out.append(Json.write(node));
    }
  }

  private static int keyId(byte[] key) {
    try {
      byte[] hash = MessageDigest.getInstance("SHA-256").digest(key);
      return ByteBuffer.wrap(hash).getInt();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("SHA-256 is not available", e);
    }
  }
}
