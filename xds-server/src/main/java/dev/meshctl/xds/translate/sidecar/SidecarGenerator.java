package dev.meshctl.xds.translate.sidecar;

import com.google.protobuf.Message;
import dev.meshctl.xds.proxy.Proxy;
import dev.meshctl.xds.translate.Subscription;
import dev.meshctl.xds.translate.TranslationContext;
import dev.meshctl.xds.translate.XdsGenerator;
import dev.meshctl.xds.translate.XdsType;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * CDS, LDS and RDS for an Envoy sidecar, as istiod generates them (EDS is served by {@link
 * dev.meshctl.xds.translate.MeshGenerator}). Delegates to the per-type translators over the proxy's
 * {@link SidecarScope}; outbound clusters, which no proxy property affects, are built once per push
 * through the context's memo. Stateless; any thread, concurrently.
 */
public final class SidecarGenerator implements XdsGenerator {

  @Override
  public SortedMap<String, Message> generate(
      TranslationContext context, Proxy proxy, XdsType type, Subscription subscription) {
    if (type == XdsType.ENDPOINT || type == XdsType.SECRET) {
      // EDS and SDS are built by MeshGenerator, the same way for every kind of proxy.
      return Collections.emptySortedMap();
    }
    SidecarScope scope = SidecarScope.of(context.snapshot(), proxy);
    List<? extends Message> resources =
        switch (type) {
          case CLUSTER -> clusters(context, scope);
          case LISTENER -> ListenerTranslator.translate(context.snapshot(), scope);
          case ROUTE -> RouteTranslator.translate(scope);
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

  private static List<Cluster> clusters(TranslationContext context, SidecarScope scope) {
    List<Cluster> out =
        new ArrayList<>(
            ClusterTranslator.forLocality(
                context.memo(
                    new OutboundClustersKey(
                        scope.proxy().namespace(),
                        scope.sidecar(),
                        scope
                            .snapshot()
                            .destinationRules()
                            .selectedFor(scope.proxy().namespace(), scope.proxy().labels())),
                    k -> ClusterTranslator.outbound(scope)),
                scope.snapshot(),
                scope.proxy()));
    out.addAll(ClusterTranslator.inbound(scope));
    return out;
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
    throw new IllegalArgumentException("not a sidecar resource: " + m.getDescriptorForType());
  }

  /**
   * Memo key of the outbound clusters, which depend only on the proxy's namespace (DestinationRule
   * and exportTo visibility), the Sidecar resource that applies to it (egress imports; the
   * catch-all clusters do not depend on its outbound policy) and the DestinationRules whose
   * workload selector selects it.
   */
  private record OutboundClustersKey(
      String namespace, String sidecar, java.util.List<String> selectedRules) {}
}
