package dev.meshctl.controlplane.debug;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.slf4j.ILoggerFactory;
import org.slf4j.LoggerFactory;

/**
 * Reads and changes log levels at runtime (like Istio's {@code istioctl admin log} scopes), for
 * {@code /debug/logging}: the root logger and every logger with a level of its own. Works when
 * logback is the logging backend (it is in the executable); elsewhere it reports that levels cannot
 * be changed. Any thread: logback's level changes are thread-safe.
 */
final class LogLevels {
  /** The levels accepted, lower-case, as the answers print them. */
  static final Set<String> LEVELS = Set.of("trace", "debug", "info", "warn", "error", "off");

  private LogLevels() {}

  /** Logger name ({@code root} for the root) to its own level, sorted; empty without logback. */
  static Map<String, String> current() {
    Map<String, String> out = new TreeMap<>();
    context()
        .ifPresent(
            ctx -> {
              for (Logger l : ctx.getLoggerList()) {
                if (l.getLevel() != null) {
                  out.put(
                      l.getName().equals(Logger.ROOT_LOGGER_NAME) ? "root" : l.getName(),
                      l.getLevel().toString().toLowerCase(Locale.ROOT));
                }
              }
            });
    return out;
  }

  /**
   * Sets {@code logger} ({@code root} or empty for the root) to {@code level}; returns an error
   * message for the user, or empty on success.
   */
  static Optional<String> set(String logger, String level) {
    String lower = level == null ? "" : level.toLowerCase(Locale.ROOT);
    if (!LEVELS.contains(lower)) {
      return Optional.of(
          "level \""
              + (level == null ? "" : level)
              + "\" is not one of "
              + new java.util.TreeSet<>(LEVELS)
              + "; e.g. PUT /debug/logging?logger=dev.meshctl.xds&level=debug");
    }
    Optional<LoggerContext> ctx = context();
    if (ctx.isEmpty()) {
      return Optional.of("log levels can only be changed when logback is the logging backend");
    }
    String name =
        logger == null || logger.isEmpty() || logger.equals("root")
            ? Logger.ROOT_LOGGER_NAME
            : logger;
    ctx.get().getLogger(name).setLevel(Level.toLevel(lower));
    return Optional.empty();
  }

  private static Optional<LoggerContext> context() {
    ILoggerFactory f = LoggerFactory.getILoggerFactory();
    return f instanceof LoggerContext ctx ? Optional.of(ctx) : Optional.empty();
  }
}
