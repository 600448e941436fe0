package dev.meshctl.controlplane.leader;

import java.time.Duration;
import java.util.Objects;

/**
 * The leader election flags: which Lease, and its timing. The namespace and identity come from
 * where the control plane runs ({@link #forReplica}). Immutable.
 *
 * @param leaseName the Lease's name
 * @param leaseDuration how long a Lease holds without renewal
 * @param renewDeadline how long the leader keeps trying to renew
 * @param retryPeriod the wait between attempts
 */
public record ElectionSettings(
    String leaseName, Duration leaseDuration, Duration renewDeadline, Duration retryPeriod) {
  /** Istio's: Lease {@code istio-leader}, 30 s, renewed within 15 s, retried every 7.5 s. */
  public static final ElectionSettings DEFAULT =
      new ElectionSettings(
          LeaseLeadership.Settings.DEFAULT_LEASE,
          LeaseLeadership.Settings.DEFAULT_LEASE_DURATION,
          LeaseLeadership.Settings.DEFAULT_LEASE_DURATION.dividedBy(2),
          LeaseLeadership.Settings.DEFAULT_LEASE_DURATION.dividedBy(4));

  public ElectionSettings {
    Objects.requireNonNull(leaseName, "leaseName");
    Objects.requireNonNull(leaseDuration, "leaseDuration");
    Objects.requireNonNull(renewDeadline, "renewDeadline");
    Objects.requireNonNull(retryPeriod, "retryPeriod");
  }

  /**
   * The full settings for one replica; throws {@link IllegalArgumentException} when the durations
   * do not nest.
   */
  public LeaseLeadership.Settings forReplica(String namespace, String identity) {
    return new LeaseLeadership.Settings(
        namespace, leaseName, identity, leaseDuration, renewDeadline, retryPeriod);
  }
}
