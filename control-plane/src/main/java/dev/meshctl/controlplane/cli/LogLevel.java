package dev.meshctl.controlplane.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import org.slf4j.LoggerFactory;

/** The levels {@code --log-level} accepts (case-insensitive). */
public enum LogLevel {
  TRACE,
  DEBUG,
  INFO,
  WARN,
  ERROR;

  /**
   * Sets the root logger to this level, when logback is the logging backend (it is in the
   * executable; elsewhere this does nothing). Any thread.
   */
  public void applyToRoot() {
    org.slf4j.Logger root = LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    if (root instanceof Logger logback) {
      logback.setLevel(Level.toLevel(name()));
    }
  }
}
