package dev.phantom.mcp;

import java.util.Locale;
import java.util.Optional;

/**
 * The RFC 5424 levels of {@code logging/setLevel} and {@code notifications/message}, lowest first.
 *
 * <pre>{@code
 * ctx.log(LogLevel.WARNING, "retrying the upstream call");
 * }</pre>
 */
public enum LogLevel {
  DEBUG, INFO, NOTICE, WARNING, ERROR, CRITICAL, ALERT, EMERGENCY;

  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Optional<LogLevel> parse(String name) {
    if (name == null) return Optional.empty();
    for (LogLevel l : values()) if (l.wireName().equals(name)) return Optional.of(l);
    return Optional.empty();
  }
}
