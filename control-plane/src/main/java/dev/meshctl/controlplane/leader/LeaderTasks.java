package dev.meshctl.controlplane.leader;

import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The singleton work of the control plane: tasks that run only while this replica holds leadership.
 * {@link #startAll} starts every registered task (in registration order) when leadership is gained,
 * {@link #stopAll} stops them (in reverse) when it is lost or the control plane stops. Both are
 * idempotent, so an elector that reports the same transition twice does no harm. A task that fails
 * to start is logged and skipped: the others still run.
 *
 * <p>Thread-safe: every method is synchronized, so a start and a stop never interleave.
 */
public final class LeaderTasks {
  private static final Logger log = LoggerFactory.getLogger(LeaderTasks.class);

  /** One piece of leader-only work. {@code start} and {@code stop} are called alternately. */
  public interface Task {
    /** A short name for logs, e.g. {@code root-cert}. */
    String name();

    /** Begins the work (may start watches and threads); returns promptly. */
    void start() throws Exception;

    /** Ends the work: after it returns, the task writes nothing more. */
    void stop();
  }

  private final List<Task> tasks = new ArrayList<>();
  private final List<Task> running = new ArrayList<>();
  private boolean leading;

  /** Adds a task; it starts at once if this replica is leading now. */
  public synchronized void register(Task task) {
    tasks.add(task);
    if (leading) {
      startOne(task);
    }
  }

  /** Starts every task not yet running (leadership gained). */
  public synchronized void startAll() {
    if (leading) {
      return;
    }
    leading = true;
    for (Task t : tasks) {
      startOne(t);
    }
  }

  /** Stops every running task, last started first (leadership lost or shutdown). */
  public synchronized void stopAll() {
    if (!leading) {
      return;
    }
    leading = false;
    for (int i = running.size() - 1; i >= 0; i--) {
      Task t = running.get(i);
      try {
        t.stop();
        log.info("event=leader_task_stopped task={}", t.name());
      } catch (RuntimeException e) {
        log.warn("event=leader_task_stop_failed task={}", t.name(), e);
      }
    }
    running.clear();
  }

  /** True between {@link #startAll} and {@link #stopAll}. */
  public synchronized boolean leading() {
    return leading;
  }

  /** The names of the tasks running now, in start order. */
  public synchronized List<String> running() {
    return running.stream().map(Task::name).toList();
  }

  private void startOne(Task t) {
    try {
      t.start();
      running.add(t);
      log.info("event=leader_task_started task={}", t.name());
    } catch (Exception e) {
      log.error("event=leader_task_start_failed task={}", t.name(), e);
    }
  }
}
