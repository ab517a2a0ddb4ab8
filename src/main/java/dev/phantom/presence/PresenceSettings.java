package dev.phantom.presence;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * The settings of {@code phantom.presence} (see reference.conf), read once.
 *
 * @param notifyTimeout how long a publication waits for every member's count
 * @param readinessProbeInterval how often a node that is not ready yet probes the notification topic
 */
public record PresenceSettings(Duration notifyTimeout, Duration readinessProbeInterval) {

  /** Reads {@code phantom.presence} from a full configuration. */
  public static PresenceSettings fromConfig(Config config) {
    Config c = config.getConfig("phantom.presence");
    return new PresenceSettings(c.getDuration("notify-timeout"), c.getDuration("readiness-probe-interval"));
  }
}
