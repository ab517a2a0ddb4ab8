package dev.phantom.tracker;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/**
 * The key an entry is tracked under. Plain ids ({@link Id}) and claims ({@link Claim}) are different
 * types, so a claim can never collide with a plain id, whatever characters either holds.
 *
 * <pre>{@code
 * TrackerKey key = new TrackerKey.Claim("session-1", "request-7");
 * }</pre>
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "t")
@JsonSubTypes({
  @JsonSubTypes.Type(value = TrackerKey.Id.class, name = "i"),
  @JsonSubTypes.Type(value = TrackerKey.Claim.class, name = "f")
})
public sealed interface TrackerKey extends TrackerSerializable {

  /** A plain id. */
  record Id(String value) implements TrackerKey {
    public Id {
      if (value == null) throw new IllegalArgumentException("tracker key must not be null");
    }

    @Override
    public String toString() {
      return value;
    }
  }

  /**
   * A claim on {@code name} within {@code scope}, taken by {@link Tracker#claim}: decided by the scope's
   * home node, and kept in the scope's shard.
   *
   * @param scope the key whose home arbitrates the claim (a key of the scope topic)
   * @param name what is claimed within the scope, compared as text
   */
  record Claim(String scope, String name) implements TrackerKey {
    public Claim {
      if (scope == null || name == null) {
        throw new IllegalArgumentException("a claim key needs a scope and a name");
      }
    }

    @Override
    public String toString() {
      return "claim(" + scope + ", " + name + ")";
    }
  }

  /** A plain key. */
  static TrackerKey id(String value) {
    return new Id(value);
  }

  /** A claim key. */
  static Claim claim(String scope, String name) {
    return new Claim(scope, name);
  }
}
