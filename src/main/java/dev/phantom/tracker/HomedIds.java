package dev.phantom.tracker;

import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.OptionalLong;

/**
 * Ids that name their home node: {@code "P"} followed by the base64url of the home's incarnation uid (8
 * bytes) and 16 random bytes (128 bits from {@link SecureRandom}). Any node maps the uid to a member's
 * address from cluster membership, so it can route to the home at once, before the tracker's replication
 * has carried anything. Host names never appear in an id.
 *
 * <p>A node may have a <em>route tag</em> ({@code phantom.tracker.route-tag}): its ids then end with
 * {@code "." + tag}, so a proxy that reads the id (e.g. the {@code Mcp-Session-Id} header) can send the
 * request to the id's home without knowing cluster membership. The tag is a name the operator gives the
 * node in both places (node and proxy); it routes only, and {@link #homeUid} ignores it.
 *
 * <pre>{@code
 * String id = tracker.mintId();            // e.g. "PAAAAZb3...", or "PAAAAZb3....n2" with route tag n2
 * Optional<NodeId> home = tracker.homeOf(id);
 * }</pre>
 */
public final class HomedIds {
  private static final char PREFIX = 'P';
  private static final int RANDOM_BYTES = 16;
  /** 1 prefix char + base64url(24 bytes) = 32 chars, no padding; a route tag follows after a dot. */
  public static final int LENGTH = 33;
  private static final char TAG_SEPARATOR = '.';
  /** What a route tag may be: short, and safe in a header, a log line, an actor name and a proxy's regex. */
  public static final java.util.regex.Pattern ROUTE_TAG = java.util.regex.Pattern.compile("[A-Za-z0-9_-]{1,32}");

  /**
   * One generator per thread: the default (NativePRNG) serializes every caller on one lock and mixes
   * with SHA-1, a few percent of a request's CPU when every request mints a stream id. DRBG instances
   * are independent and seeded from the system's entropy.
   */
  private static final ThreadLocal<SecureRandom> RANDOM = ThreadLocal.withInitial(HomedIds::newGenerator);
  private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder DECODER = Base64.getUrlDecoder();

  private HomedIds() {}

  /** A fresh id homed on the node with this incarnation uid, ending with {@code "." + routeTag} if given. */
  public static String mint(long homeUid, String routeTag) {
    String id = mint(homeUid);
    return routeTag == null || routeTag.isEmpty() ? id : id + TAG_SEPARATOR + routeTag;
  }

  /** A fresh id homed on the node with this incarnation uid, with no route tag. */
  public static String mint(long homeUid) {
    byte[] bytes = new byte[8 + RANDOM_BYTES];
    ByteBuffer.wrap(bytes).putLong(homeUid);
    byte[] random = new byte[RANDOM_BYTES];
    RANDOM.get().nextBytes(random);
    System.arraycopy(random, 0, bytes, 8, RANDOM_BYTES);
    return PREFIX + ENCODER.encodeToString(bytes);
  }

  private static SecureRandom newGenerator() {
    try {
      return SecureRandom.getInstance("DRBG");
    } catch (java.security.NoSuchAlgorithmException unavailable) {
      return new SecureRandom();
    }
  }

  /** The home uid named by an id minted by {@link #mint}, or empty for any other string. */
  public static OptionalLong homeUid(String id) {
    if (id == null || id.length() < LENGTH || id.charAt(0) != PREFIX) return OptionalLong.empty();
    if (id.length() > LENGTH
        && (id.charAt(LENGTH) != TAG_SEPARATOR || !ROUTE_TAG.matcher(id).region(LENGTH + 1, id.length()).matches())) {
      return OptionalLong.empty();
    }
    try {
      byte[] bytes = DECODER.decode(id.substring(1, LENGTH));
      if (bytes.length != 8 + RANDOM_BYTES) return OptionalLong.empty();
      return OptionalLong.of(ByteBuffer.wrap(bytes).getLong());
    } catch (IllegalArgumentException notBase64) {
      return OptionalLong.empty();
    }
  }
}
