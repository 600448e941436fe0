package dev.meshctl.xds.translate;

import com.google.protobuf.Message;
import dev.meshctl.xds.model.MeshSnapshot;
import dev.meshctl.xds.proxy.Proxy;
import dev.meshctl.xds.translate.endpoint.EndpointTranslator;
import dev.meshctl.xds.translate.policy.TrafficPolicy;
import java.util.Collections;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The generator the ADS server uses: EDS is the same for every proxy (memoised per push); LDS, RDS
 * and CDS come from the Envoy generator or, for proxies with metadata {@code GENERATOR=grpc}, from
 * the proxyless gRPC generator. Pure; any thread.
 */
public final class MeshGenerator implements XdsGenerator {
  private final XdsGenerator envoy;
  private final XdsGenerator grpc;

  /**
   * @param envoy builds CDS, LDS and RDS for Envoy sidecars and gateways
   * @param grpc builds CDS, LDS and RDS for proxyless gRPC
   */
  public MeshGenerator(XdsGenerator envoy, XdsGenerator grpc) {
    this.envoy = envoy;
    this.grpc = grpc;
  }

  @Override
  public SortedMap<String, Message> generate(
      TranslationContext context, Proxy proxy, XdsType type, Subscription subscription) {
    if (type == XdsType.ENDPOINT) {
      return endpoints(context, subscription);
    }
    XdsGenerator delegate = proxy.generator() == Proxy.Generator.GRPC ? grpc : envoy;
    return delegate.generate(context, proxy, type, subscription);
  }

  private static SortedMap<String, Message> endpoints(
      TranslationContext context, Subscription subscription) {
    if (!(subscription instanceof Subscription.Names names)) {
      // EDS is always requested by name; a wildcard EDS subscription gets nothing rather than
      // every assignment in the mesh.
      return Collections.emptySortedMap();
    }
    SortedMap<String, Message> out = new TreeMap<>();
    for (String name : names.names()) {
      context
          .memo(
              new EdsKey(name),
              k ->
                  EndpointTranslator.translate(
                      context.snapshot(), k.cluster(), subsets(context.snapshot())))
          .ifPresent(cla -> out.put(name, cla));
    }
    return out;
  }

  /**
   * Subset labels from the DestinationRule of the service as seen from the service's own namespace.
   * EDS is shared by every proxy (memoised per push), so it cannot follow each proxy's view; a
   * proxy whose namespace holds a different rule for the host gets the service namespace's subset
   * labels (a documented difference from Istio, which builds EDS per proxy view).
   */
  public static EndpointTranslator.SubsetSelector subsets(MeshSnapshot snapshot) {
    return (service, subset) ->
        TrafficPolicy.ruleFor(snapshot, service, service.id().namespace())
            .flatMap(rule -> TrafficPolicy.subsetLabels(rule, subset));
  }

  private record EdsKey(String cluster) {}
}
