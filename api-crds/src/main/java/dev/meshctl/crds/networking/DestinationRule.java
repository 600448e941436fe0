package dev.meshctl.crds.networking;

import dev.meshctl.crds.Inline;
import dev.meshctl.crds.Required;
import dev.meshctl.crds.Unsigned;
import dev.meshctl.crds.networking.Common.ConnectionPoolSettings;
import dev.meshctl.crds.networking.Common.MatchLabelsSelector;
import dev.meshctl.crds.networking.Common.PortSelector;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The spec of a {@code networking.istio.io} DestinationRule, field for field. Immutable; {@code
 * null} means absent; decoded lists and maps are never {@code null}.
 */
public record DestinationRule(
    @Required String host,
    TrafficPolicy trafficPolicy,
    List<Subset> subsets,
    List<String> exportTo,
    MatchLabelsSelector workloadSelector)
    implements NetworkingSpec {

  /** Policies for traffic to the host or a subset ({@code TrafficPolicy}). */
  public record TrafficPolicy(
      LoadBalancerSettings loadBalancer,
      ConnectionPoolSettings connectionPool,
      OutlierDetection outlierDetection,
      ClientTlsSettings tls,
      List<PortTrafficPolicy> portLevelSettings,
      TunnelSettings tunnel,
      ProxyProtocol proxyProtocol,
      RetryBudget retryBudget) {}

  /** Policies for one port ({@code TrafficPolicy.PortTrafficPolicy}). */
  public record PortTrafficPolicy(
      PortSelector port,
      LoadBalancerSettings loadBalancer,
      ConnectionPoolSettings connectionPool,
      OutlierDetection outlierDetection,
      ClientTlsSettings tls) {}

  /** A named set of endpoints selected by labels ({@code Subset}). */
  public record Subset(
      @Required String name, Map<String, String> labels, TrafficPolicy trafficPolicy) {}

  /** Load balancing ({@code LoadBalancerSettings}); the policy is a oneof. */
  public record LoadBalancerSettings(
      @Inline LbPolicy lbPolicy,
      LocalityLbSetting localityLbSetting,
      Duration warmupDurationSecs,
      WarmupConfiguration warmup,
      ZoneAwareLbSetting zoneAwareLbSetting) {}

  /** The load-balancer policy oneof. */
  public sealed interface LbPolicy permits Simple, ConsistentHash, BackendUtilization {}

  /** A simple algorithm. */
  public record Simple(SimpleLb simple) implements LbPolicy {}

  /** Consistent hashing. */
  public record ConsistentHash(ConsistentHashLb consistentHash) implements LbPolicy {}

  /** Weights from backend-reported utilisation. */
  public record BackendUtilization(BackendUtilizationLb backendUtilization) implements LbPolicy {}

  /** Simple algorithms; {@code LEAST_CONN} is Istio's deprecated alias of LEAST_REQUEST. */
  public enum SimpleLb {
    UNSPECIFIED,
    LEAST_CONN,
    RANDOM,
    PASSTHROUGH,
    ROUND_ROBIN,
    LEAST_REQUEST
  }

  /**
   * Consistent hashing ({@code ConsistentHashLB}): a hash-key oneof, a hash-algorithm oneof and the
   * deprecated {@code minimumRingSize}.
   */
  public record ConsistentHashLb(
      @Inline HashKey hashKey, @Inline HashAlgorithm hashAlgorithm, Long minimumRingSize) {}

  /** What is hashed. */
  public sealed interface HashKey
      permits HttpHeaderName, HttpCookie, UseSourceIp, HttpQueryParameterName {}

  /** Hash a request header. */
  public record HttpHeaderName(String httpHeaderName) implements HashKey {}

  /** Hash a cookie (generated with the TTL when absent). */
  public record HttpCookie(HttpCookieSpec httpCookie) implements HashKey {}

  /** Hash the source IP. */
  public record UseSourceIp(Boolean useSourceIp) implements HashKey {}

  /** Hash a query parameter. */
  public record HttpQueryParameterName(String httpQueryParameterName) implements HashKey {}

  /** Cookie used as hash key ({@code ConsistentHashLB.HTTPCookie}). */
  public record HttpCookieSpec(
      @Required String name, String path, Duration ttl, List<CookieAttribute> attributes) {}

  /** An extra cookie attribute. */
  public record CookieAttribute(@Required String name, String value) {}

  /** The hash algorithm oneof. */
  public sealed interface HashAlgorithm permits RingHash, Maglev {}

  /** Ring hash. */
  public record RingHash(RingHashSpec ringHash) implements HashAlgorithm {}

  /** Maglev. */
  public record Maglev(MaglevSpec maglev) implements HashAlgorithm {}

  /** Ring hash settings. */
  public record RingHashSpec(Long minimumRingSize) {}

  /** Maglev settings. */
  public record MaglevSpec(Long tableSize) {}

  /** Backend-utilisation load balancing settings. */
  public record BackendUtilizationLb(
      Duration weightUpdatePeriod,
      Duration weightExpirationPeriod,
      Duration weightStabilizationPeriod,
      @Unsigned Integer errorUtilizationPenaltyPercent,
      List<String> metricNamesForComputingUtilization) {}

  /** Locality-weighted load balancing ({@code LocalityLoadBalancerSetting}). */
  public record LocalityLbSetting(
      List<Distribute> distribute,
      List<Failover> failover,
      List<String> failoverPriority,
      Boolean enabled) {}

  /** Traffic distribution from one locality to others (weights in percent). */
  public record Distribute(String from, Map<String, Integer> to) {}

  /** Failover from one region to another. */
  public record Failover(String from, String to) {}

  /** Zone-aware load balancing. */
  public record ZoneAwareLbSetting(
      Boolean enabled,
      List<Failover> failover,
      List<String> failoverPriority,
      @Unsigned Integer minClusterSize) {}

  /** Slow start ({@code WarmupConfiguration}). */
  public record WarmupConfiguration(
      @Required Duration duration, Double minimumPercent, Double aggression) {}

  /** Outlier detection ({@code OutlierDetection}). */
  public record OutlierDetection(
      Integer consecutiveErrors,
      Boolean splitExternalLocalOriginErrors,
      @Unsigned Integer consecutiveLocalOriginFailures,
      @Unsigned Integer consecutiveGatewayErrors,
      @Unsigned Integer consecutive5xxErrors,
      Duration interval,
      Duration baseEjectionTime,
      Integer maxEjectionPercent,
      Integer minHealthPercent,
      List<Integer> outlierDetectionHttpErrorCodes) {}

  /** TLS towards the upstream ({@code ClientTLSSettings}). */
  public record ClientTlsSettings(
      ClientTlsMode mode,
      String clientCertificate,
      String privateKey,
      String caCertificates,
      String credentialName,
      List<String> subjectAltNames,
      String sni,
      Boolean insecureSkipVerify,
      String caCrl) {}

  /** Client TLS modes. */
  public enum ClientTlsMode {
    DISABLE,
    SIMPLE,
    MUTUAL,
    ISTIO_MUTUAL
  }

  /** HTTP CONNECT/POST tunnelling ({@code TrafficPolicy.TunnelSettings}). */
  public record TunnelSettings(
      String protocol, @Required String targetHost, @Required @Unsigned Integer targetPort) {}

  /** PROXY protocol towards the upstream. */
  public record ProxyProtocol(ProxyProtocolVersion version) {}

  /** PROXY protocol versions. */
  public enum ProxyProtocolVersion {
    V1,
    V2
  }

  /** Retry budget ({@code TrafficPolicy.RetryBudget}). */
  public record RetryBudget(
      Double percent, Duration budgetInterval, @Unsigned Integer minRetryConcurrency) {}
}
