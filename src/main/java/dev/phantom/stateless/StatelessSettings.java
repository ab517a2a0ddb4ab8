package dev.phantom.stateless;

import com.typesafe.config.Config;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * The settings of {@code phantom.stateless} (see reference.conf), read once.
 *
 * @param stateKeys the requestState keys (32 bytes each; the first seals), empty when none is configured
 * @param stateTtl how long a sealed requestState can be answered
 * @param listTtl the {@code ttlMs} of list results
 * @param discoverTtl the {@code ttlMs} of {@code server/discover}
 * @param requestKeepAlive how often a request's SSE stream writes a keep-alive comment
 */
public record StatelessSettings(List<byte[]> stateKeys, Duration stateTtl, Duration listTtl, Duration discoverTtl,
    Duration requestKeepAlive) {

  /** Reads {@code phantom.stateless} from a full configuration; a malformed key fails the start with its position. */
  public static StatelessSettings fromConfig(Config config) {
    Config c = config.getConfig("phantom.stateless");
    List<byte[]> keys = new ArrayList<>();
    String[] parts = c.getString("state-keys").split(",");
    for (int i = 0; i < parts.length; i++) {
      String part = parts[i].trim();
      if (part.isEmpty()) continue;
      byte[] key;
      try {
        key = Base64.getDecoder().decode(part);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("phantom.stateless.state-keys: key " + (i + 1) + " is not base64");
      }
      if (key.length != 32) {
        throw new IllegalArgumentException("phantom.stateless.state-keys: key " + (i + 1) + " is " + key.length
            + " bytes; it must be 32 (head -c32 /dev/urandom | base64)");
      }
      keys.add(key);
    }
    return new StatelessSettings(List.copyOf(keys), c.getDuration("state-ttl"), c.getDuration("list-ttl"),
        c.getDuration("discover-ttl"), c.getDuration("request-keep-alive"));
  }
}
