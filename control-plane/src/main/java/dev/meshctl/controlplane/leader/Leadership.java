package dev.meshctl.controlplane.leader;

/**
 * How this replica learns whether it may do singleton work: a Kubernetes Lease ({@link
 * LeaseLeadership}) or, with no cluster, always ({@link LocalLeadership}). Either way it drives a
 * {@link LeaderTasks}. {@link #start} and {@link #close} are for the owner; {@link #isLeader} may
 * be called from any thread.
 */
public interface Leadership extends AutoCloseable {
  /** Begins taking part (returns at once; leadership may come later). */
  void start();

  /** True while this replica is the leader. */
  boolean isLeader();

  /** Stops the leader tasks and gives up leadership. Idempotent. */
  @Override
  void close();
}
