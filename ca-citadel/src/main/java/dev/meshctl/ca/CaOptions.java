package dev.meshctl.ca;

import java.time.Duration;
import java.util.Objects;

/**
 * Signing policy. Immutable; any thread.
 *
 * @param trustDomain the SPIFFE trust domain of every identity we issue (Istio: {@code
 *     cluster.local})
 * @param defaultTtl lifetime when a request asks for none (Istio's DEFAULT_WORKLOAD_CERT_TTL, 24h)
 * @param maxTtl the longest lifetime a request may ask for (Istio's MAX_WORKLOAD_CERT_TTL, 90d); at
 *     least {@code defaultTtl}
 */
public record CaOptions(String trustDomain, Duration defaultTtl, Duration maxTtl) {
  public static final String DEFAULT_TRUST_DOMAIN = "cluster.local";
  public static final Duration DEFAULT_TTL = Duration.ofHours(24);
  public static final Duration DEFAULT_MAX_TTL = Duration.ofDays(90);

  public CaOptions {
    Objects.requireNonNull(trustDomain, "trustDomain");
    if (defaultTtl.isNegative() || defaultTtl.isZero()) {
      throw new IllegalArgumentException("defaultTtl must be positive: " + defaultTtl);
    }
    if (maxTtl.compareTo(defaultTtl) < 0) {
      throw new IllegalArgumentException(
          "maxTtl " + maxTtl + " must not be shorter than defaultTtl " + defaultTtl);
    }
  }

  /** Istio's defaults: trust domain cluster.local, 24h, at most 90 days. */
  public static CaOptions defaults() {
    return new CaOptions(DEFAULT_TRUST_DOMAIN, DEFAULT_TTL, DEFAULT_MAX_TTL);
  }
}
