package dev.meshctl.xds.server;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * A clock that moves only when {@link #advance} is called, and a {@link StreamInitLimiter.Timer}
 * whose tasks run (on the advancing thread) once the clock reaches them: time-dependent server
 * behaviour tested without sleeping. Thread-safe.
 */
final class ManualTime extends Clock implements StreamInitLimiter.Timer {
  private record Task(Instant due, Runnable task) {}

  private Instant now = Instant.parse("2026-01-01T00:00:00Z");
  private final List<Task> tasks = new ArrayList<>();

  @Override
  public synchronized Instant instant() {
    return now;
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    throw new UnsupportedOperationException();
  }

  @Override
  public synchronized void runAfter(Duration delay, Runnable task) {
    tasks.add(new Task(now.plus(delay), task));
  }

  /** Tasks waiting for a later time. */
  synchronized int waiting() {
    return tasks.size();
  }

  /** Moves the clock forward and runs the tasks now due, earliest first. */
  void advance(Duration by) {
    List<Task> due = new ArrayList<>();
    synchronized (this) {
      now = now.plus(by);
      for (Task t : List.copyOf(tasks)) {
        if (!t.due().isAfter(now)) {
          due.add(t);
          tasks.remove(t);
        }
      }
    }
    due.sort((a, b) -> a.due().compareTo(b.due()));
    due.forEach(t -> t.task().run());
  }
}
