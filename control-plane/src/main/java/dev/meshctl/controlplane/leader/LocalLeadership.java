package dev.meshctl.controlplane.leader;

/**
 * Leadership without a cluster (file mode): there is no other replica to agree with, so this one
 * leads from {@link #start} to {@link #close} and no Lease is used. Thread-safe.
 */
public final class LocalLeadership implements Leadership {
  private final LeaderTasks tasks;

  /** Drives these tasks. */
  public LocalLeadership(LeaderTasks tasks) {
    this.tasks = tasks;
  }

  @Override
  public void start() {
    tasks.startAll();
  }

  @Override
  public boolean isLeader() {
    return tasks.leading();
  }

  @Override
  public void close() {
    tasks.stopAll();
  }
}
