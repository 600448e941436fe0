package dev.meshctl.xds.translate;

import com.google.protobuf.Message;
import dev.meshctl.xds.model.MeshSnapshot;
import dev.meshctl.xds.model.Service;
import dev.meshctl.xds.proxy.Proxy;
import dev.meshctl.xds.translate.endpoint.EndpointTranslator;
import dev.meshctl.xds.translate.endpoint.LocalityLb;
import dev.meshctl.xds.translate.endpoint.LocalityViews;
import dev.meshctl.xds.translate.envoyfilter.EnvoyFilters;
import dev.meshctl.xds.translate.gateway.GatewayGenerator;
import dev.meshctl.xds.translate.policy.TrafficPolicy;
import dev.meshctl.xds.translate.secret.SecretTranslator;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The generator the ADS server uses: EDS is the same for every proxy (memoised per push) unless
 * locality load balancing makes it depend on the proxy's locality ({@link LocalityViews}); SDS
 * gateway credentials come from the proxy's own namespace ({@link SecretTranslator}); LDS, RDS and
 * CDS come from the Envoy generator or, for proxies with metadata {@code GENERATOR=grpc}, from the
 * proxyless gRPC generator, or, for Envoy gateways (node type {@code router}), from the gateway
 * generator; the EnvoyFilters that select an Envoy proxy then patch them ({@link EnvoyFilters}).
 * Pure; any thread.
 */
public final class MeshGenerator implements XdsGenerator {
  private final XdsGenerator envoy;
  private final XdsGenerator grpc;
  private final XdsGenerator gateway;

  /**
   * @param envoy builds CDS, LDS and RDS for Envoy sidecars
   * @param grpc builds CDS, LDS and RDS for proxyless gRPC
   * @param gateway builds CDS, LDS and RDS for Envoy gateways ({@code router} nodes)
   */
  public MeshGenerator(XdsGenerator envoy, XdsGenerator grpc, XdsGenerator gateway) {
    this.envoy = envoy;
    this.grpc = grpc;
    this.gateway = gateway;
  }

  /** Sidecars and proxyless gRPC as given; gateways by {@link GatewayGenerator}. */
  public MeshGenerator(XdsGenerator envoy, XdsGenerator grpc) {
    this(envoy, grpc, new GatewayGenerator());
  }

  @Override
  public SortedMap<String, Message> generate(
      TranslationContext context, Proxy proxy, XdsType type, Subscription subscription) {
    if (type == XdsType.ENDPOINT) {
      return endpoints(context, proxy, subscription);
    }
    if (type == XdsType.SECRET) {
      return SecretTranslator.kubernetesSecrets(context.snapshot(), proxy, subscription);
    }
    if (proxy.generator() == Proxy.Generator.GRPC) {
      return grpc.generate(context, proxy, type, subscription);
    }
    XdsGenerator delegate = proxy.type() == Proxy.ProxyType.ROUTER ? gateway : envoy;
    // EnvoyFilters patch what was generated for this Envoy (never proxyless clients).
    return EnvoyFilters.apply(
        context.snapshot(),
        proxy,
        type,
        delegate.generate(context, proxy, type, subscription),
        subscription);
  }

  private static SortedMap<String, Message> endpoints(
      TranslationContext context, Proxy proxy, Subscription subscription) {
    if (!(subscription instanceof Subscription.Names names)) {
      // EDS is always requested by name; a wildcard EDS subscription gets nothing rather than
      // every assignment in the mesh.
      return Collections.emptySortedMap();
    }
    SortedMap<String, Message> out = new TreeMap<>();
    for (String name : names.names()) {
      // Proxies share an assignment unless locality load balancing makes it depend on where they
      // are; then proxies with the same view (locality, setting, failover labels) share one.
      LocalityLb.View view = LocalityViews.forCluster(context.snapshot(), proxy, name).orElse(null);
      context
          .memo(
              new EdsKey(name, view),
              k ->
                  EndpointTranslator.translate(
                      context.snapshot(), k.cluster(), subsets(context.snapshot()), k.view()))
          .ifPresent(cla -> out.put(name, cla));
    }
    return out;
  }

  /**
   * Subset labels from the DestinationRule of the service as seen from the service's own namespace;
   * when that view has no such subset, from the view of each namespace holding rules, in name
   * order. The fallback matters for the egress gateway pattern: the rule defining the gateway's
   * subset lives in the clients' namespace, not in istio-system, and without it the subset cluster
   * would have no endpoints (503). EDS is shared by every proxy (memoised per push), so it cannot
   * follow each proxy's view: a proxy whose namespace holds a different rule for the host gets the
   * first view's subset labels (a documented difference from Istio, which builds EDS per proxy
   * view).
   */
  public static EndpointTranslator.SubsetSelector subsets(MeshSnapshot snapshot) {
    return (service, subset) -> {
      Optional<Map<String, String>> own =
          labels(snapshot, service, service.id().namespace(), subset);
      if (own.isPresent()) {
        return own;
      }
      for (String ns : snapshot.destinationRules().namespaces()) {
        Optional<Map<String, String>> seen = labels(snapshot, service, ns, subset);
        if (seen.isPresent()) {
          return seen;
        }
      }
      return Optional.empty();
    };
  }

  private static Optional<Map<String, String>> labels(
      MeshSnapshot snapshot, Service service, String viewNamespace, String subset) {
    return TrafficPolicy.ruleFor(snapshot, service, viewNamespace)
        .flatMap(rule -> TrafficPolicy.subsetLabels(rule, subset));
  }

  private record EdsKey(String cluster, LocalityLb.View view) {}
}
