package dev.meshctl.xds.translate.policy;

import dev.meshctl.crds.decode.IstioConfig;
import dev.meshctl.crds.networking.Common.ConnectionPoolSettings;
import dev.meshctl.crds.networking.DestinationRule;
import dev.meshctl.crds.networking.DestinationRule.ClientTlsSettings;
import dev.meshctl.crds.networking.DestinationRule.LoadBalancerSettings;
import dev.meshctl.crds.networking.DestinationRule.OutlierDetection;
import dev.meshctl.crds.networking.DestinationRule.PortTrafficPolicy;
import dev.meshctl.crds.networking.DestinationRule.Subset;
import dev.meshctl.xds.model.MeshDefaults;
import dev.meshctl.xds.model.MeshSnapshot;
import dev.meshctl.xds.model.Service;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The traffic policy that applies to one cluster ({@code outbound|port|subset|host}), merged the
 * way Istio merges a DestinationRule: the rule's top-level policy, overridden by its {@code
 * portLevelSettings} for the port, then by the subset's own policy and the subset's port-level
 * settings. Each of load balancer, connection pool, outlier detection and TLS is replaced as a
 * whole, never merged field by field. Any member may be {@code null} (absent). Immutable.
 *
 * @param loadBalancer the load balancer settings, or {@code null}
 * @param connectionPool the connection pool settings, or {@code null}
 * @param outlierDetection the outlier detection settings, or {@code null}
 * @param tls the client TLS settings, or {@code null} (auto-mTLS decides)
 * @param proxyProtocol the PROXY protocol header to send upstream, or {@code null} (none); not a
 *     port-level setting in Istio's API
 */
public record TrafficPolicy(
    LoadBalancerSettings loadBalancer,
    ConnectionPoolSettings connectionPool,
    OutlierDetection outlierDetection,
    ClientTlsSettings tls,
    DestinationRule.ProxyProtocol proxyProtocol) {

  /** No DestinationRule: every default applies. */
  public static final TrafficPolicy NONE = new TrafficPolicy(null, null, null, null, null);

  /**
   * The DestinationRule a proxy in {@code proxyNamespace} uses for {@code service} (see {@link
   * dev.meshctl.xds.model.DestinationRuleIndex}).
   */
  public static Optional<DestinationRule> ruleFor(
      MeshSnapshot snapshot, Service service, String proxyNamespace) {
    return snapshot
        .destinationRules()
        .forHost(
            service.hostname(snapshot.mesh().domainSuffix()),
            proxyNamespace,
            service.id().namespace())
        .map(c -> c.spec(DestinationRule.class));
  }

  /**
   * The DestinationRule a workload with {@code labels} in {@code proxyNamespace} uses for {@code
   * service}: one of its namespace whose workload selector selects it first.
   */
  public static Optional<DestinationRule> ruleFor(
      MeshSnapshot snapshot, Service service, String proxyNamespace, Map<String, String> labels) {
    return snapshot
        .destinationRules()
        .forHost(
            service.hostname(snapshot.mesh().domainSuffix()),
            proxyNamespace,
            service.id().namespace(),
            labels)
        .map(c -> c.spec(DestinationRule.class));
  }

  /** The config object of {@link #ruleFor}, for messages. */
  public static Optional<IstioConfig> configFor(
      MeshSnapshot snapshot, Service service, String proxyNamespace) {
    return snapshot
        .destinationRules()
        .forHost(
            service.hostname(snapshot.mesh().domainSuffix()),
            proxyNamespace,
            service.id().namespace());
  }

  /** The policy of {@code subset} ({@code ""} for the whole service) on {@code port}. */
  public static TrafficPolicy of(DestinationRule rule, String subset, int port) {
    TrafficPolicy p = NONE.with(rule.trafficPolicy(), port);
    if (!subset.isEmpty()) {
      Optional<Subset> s = subset(rule, subset);
      if (s.isPresent()) {
        p = p.with(s.get().trafficPolicy(), port);
      }
    }
    return p;
  }

  /**
   * This policy completed by the mesh config's {@code defaultTrafficPolicy}: its connection pool
   * and outlier detection where this policy sets none (each replaced as a whole, as in Istio).
   */
  public TrafficPolicy withMeshDefaults(MeshDefaults defaults) {
    return new TrafficPolicy(
        loadBalancer,
        pick(connectionPool, defaults.connectionPool()),
        pick(outlierDetection, defaults.outlierDetection()),
        tls,
        proxyProtocol);
  }

  /** The subset named {@code name}, or empty. */
  public static Optional<Subset> subset(DestinationRule rule, String name) {
    for (Subset s : rule.subsets()) {
      if (name.equals(s.name())) {
        return Optional.of(s);
      }
    }
    return Optional.empty();
  }

  /** The labels of subset {@code name}, or empty when the rule defines no such subset. */
  public static Optional<Map<String, String>> subsetLabels(DestinationRule rule, String name) {
    return subset(rule, name).map(Subset::labels);
  }

  private TrafficPolicy with(DestinationRule.TrafficPolicy tp, int port) {
    if (tp == null) {
      return this;
    }
    TrafficPolicy p =
        new TrafficPolicy(
            pick(tp.loadBalancer(), loadBalancer),
            pick(tp.connectionPool(), connectionPool),
            pick(tp.outlierDetection(), outlierDetection),
            pick(tp.tls(), tls),
            pick(tp.proxyProtocol(), proxyProtocol));
    List<PortTrafficPolicy> ports = tp.portLevelSettings();
    if (ports != null) {
      for (PortTrafficPolicy pl : ports) {
        if (pl.port() != null && pl.port().number() != null && pl.port().number() == port) {
          p =
              new TrafficPolicy(
                  pick(pl.loadBalancer(), p.loadBalancer),
                  pick(pl.connectionPool(), p.connectionPool),
                  pick(pl.outlierDetection(), p.outlierDetection),
                  pick(pl.tls(), p.tls),
                  p.proxyProtocol);
        }
      }
    }
    return p;
  }

  private static <T> T pick(T override, T base) {
    return override != null ? override : base;
  }
}
