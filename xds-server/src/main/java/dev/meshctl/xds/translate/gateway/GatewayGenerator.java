package dev.meshctl.xds.translate.gateway;

import com.google.protobuf.Message;
import dev.meshctl.xds.proxy.Proxy;
import dev.meshctl.xds.translate.Subscription;
import dev.meshctl.xds.translate.TranslationContext;
import dev.meshctl.xds.translate.XdsGenerator;
import dev.meshctl.xds.translate.XdsType;
import dev.meshctl.xds.translate.sidecar.ClusterTranslator;
import dev.meshctl.xds.translate.sidecar.SidecarScope;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import java.util.Collections;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * CDS, LDS and RDS for an Envoy gateway (node type {@code router}), from the Gateways selecting it
 * ({@link MergedGateway}). Clusters are the sidecar's outbound clusters (every service port, its
 * subsets, the special clusters), since a gateway may route anywhere; they are built by the same
 * translator and shared through the context's memo with sidecars of the same namespace;
 * AUTO_PASSTHROUGH servers add SNI-DNAT copies ({@link GatewaySniClusters}). EDS is served by
 * {@link dev.meshctl.xds.translate.MeshGenerator}. Stateless; any thread, concurrently.
 */
public final class GatewayGenerator implements XdsGenerator {
  private static final Logger log = LoggerFactory.getLogger(GatewayGenerator.class);

  @Override
  public SortedMap<String, Message> generate(
      TranslationContext context, Proxy proxy, XdsType type, Subscription subscription) {
    if (type == XdsType.ENDPOINT) {
      return Collections.emptySortedMap();
    }
    List<? extends Message> resources =
        switch (type) {
          case CLUSTER -> clusters(context, proxy);
          case LISTENER ->
              GatewayListeners.translate(context.snapshot(), proxy, merged(context, proxy));
          case ROUTE -> GatewayRoutes.translate(context.snapshot(), proxy, merged(context, proxy));
          case ENDPOINT, SECRET -> List.<Message>of();
        };
    SortedMap<String, Message> out = new TreeMap<>();
    for (Message m : resources) {
      String name = nameOf(m);
      if (subscription.wants(name)) {
        out.put(name, m);
      }
    }
    return out;
  }

  /** The outbound clusters, plus the SNI-DNAT copies AUTO_PASSTHROUGH servers need. */
  private static List<Cluster> clusters(TranslationContext context, Proxy proxy) {
    List<Cluster> outbound =
        ClusterTranslator.forLocality(
            context.memo(
                new GatewayClustersKey(proxy.namespace()),
                k -> ClusterTranslator.outbound(SidecarScope.of(context.snapshot(), proxy))),
            context.snapshot(),
            proxy);
    List<Cluster> sni = GatewaySniClusters.of(merged(context, proxy), outbound);
    if (sni.isEmpty()) {
      return outbound;
    }
    List<Cluster> all = new java.util.ArrayList<>(outbound);
    all.addAll(sni);
    return all;
  }

  /**
   * The proxy's merged gateway, memoised per push by what selection reads (namespace, labels, IPs),
   * so its conflicts are logged once per push rather than once per resource type.
   */
  static MergedGateway merged(TranslationContext context, Proxy proxy) {
    return context.memo(
        new MergedKey(proxy.namespace(), proxy.labels(), proxy.ipAddresses()),
        k -> {
          MergedGateway mg = MergedGateway.of(context.snapshot(), proxy);
          for (String c : mg.conflicts()) {
            log.warn("event=gateway_conflict proxy={} {}", proxy.nodeId(), c);
          }
          return mg;
        });
  }

  private static String nameOf(Message m) {
    if (m instanceof Cluster c) {
      return c.getName();
    }
    if (m instanceof Listener l) {
      return l.getName();
    }
    if (m instanceof RouteConfiguration r) {
      return r.getName();
    }
    throw new IllegalArgumentException("not a gateway resource: " + m.getDescriptorForType());
  }

  /** Outbound clusters depend only on the namespace (DestinationRule visibility). */
  private record GatewayClustersKey(String namespace) {}

  private record MergedKey(
      String namespace, java.util.Map<String, String> labels, List<String> ips) {}
}
