package dev.meshctl.xds.model;

import java.time.Duration;
import java.util.Objects;

/**
 * The mesh-wide settings that affect generated config (Istio's MeshConfig, the part we read so
 * far). Immutable; {@link #DEFAULT} holds Istio's defaults.
 *
 * @param trustDomain SPIFFE trust domain, {@code cluster.local} by default
 * @param domainSuffix the cluster DNS suffix used in host names, {@code cluster.local}
 * @param rootNamespace the mesh root namespace, {@code istio-system}
 * @param outboundTrafficPolicy what sidecars do with traffic to unknown hosts
 * @param connectTimeout cluster connect timeout, 10 s
 * @param enableAutoMtls whether outbound clusters upgrade to mTLS for mesh endpoints
 */
public record MeshConfig(
    String trustDomain,
    String domainSuffix,
    String rootNamespace,
    OutboundTrafficPolicy outboundTrafficPolicy,
    Duration connectTimeout,
    boolean enableAutoMtls) {

  public static final MeshConfig DEFAULT =
      new MeshConfig(
          "cluster.local",
          "cluster.local",
          "istio-system",
          OutboundTrafficPolicy.ALLOW_ANY,
          Duration.ofSeconds(10),
          true);

  public MeshConfig {
    Objects.requireNonNull(trustDomain, "trustDomain");
    Objects.requireNonNull(domainSuffix, "domainSuffix");
    Objects.requireNonNull(rootNamespace, "rootNamespace");
    Objects.requireNonNull(outboundTrafficPolicy, "outboundTrafficPolicy");
    Objects.requireNonNull(connectTimeout, "connectTimeout");
  }

  /** Istio's {@code outboundTrafficPolicy.mode}. */
  public enum OutboundTrafficPolicy {
    /** Unknown destinations go to {@code PassthroughCluster}. */
    ALLOW_ANY,
    /** Unknown destinations go to {@code BlackHoleCluster} (TCP) or get a 502 (HTTP). */
    REGISTRY_ONLY
  }
}
