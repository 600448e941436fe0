package dev.meshctl.xds.testing;

import com.google.protobuf.Message;
import dev.meshctl.xds.print.ProtoYaml;
import dev.meshctl.xds.proxy.Proxy;
import dev.meshctl.xds.translate.MeshGenerator;
import dev.meshctl.xds.translate.Subscription;
import dev.meshctl.xds.translate.TranslationContext;
import dev.meshctl.xds.translate.XdsGenerator;
import dev.meshctl.xds.translate.XdsType;
import dev.meshctl.xds.translate.sidecar.SidecarGenerator;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Everything one sidecar receives, fetched the way Envoy does: CDS and LDS as wildcards, EDS for
 * the EDS clusters CDS named, RDS for the route configs the listeners named.
 */
public record XdsDump(
    SortedMap<String, Message> clusters,
    SortedMap<String, Message> endpoints,
    SortedMap<String, Message> listeners,
    SortedMap<String, Message> routes) {

  /** The proxyless side is not under test here. */
  private static final XdsGenerator NO_GRPC = (c, p, t, s) -> Collections.emptySortedMap();

  public static XdsDump generate(MeshFixture fixture) {
    XdsGenerator gen = new MeshGenerator(new SidecarGenerator(), NO_GRPC);
    TranslationContext ctx = new TranslationContext(fixture.snapshot());
    Proxy proxy = fixture.proxy();
    SortedMap<String, Message> cds =
        gen.generate(ctx, proxy, XdsType.CLUSTER, Subscription.WILDCARD);
    SortedMap<String, Message> eds =
        gen.generate(ctx, proxy, XdsType.ENDPOINT, Subscription.names(edsNames(cds)));
    SortedMap<String, Message> lds =
        gen.generate(ctx, proxy, XdsType.LISTENER, Subscription.WILDCARD);
    SortedMap<String, Message> rds =
        gen.generate(ctx, proxy, XdsType.ROUTE, Subscription.names(rdsNames(lds)));
    return new XdsDump(cds, eds, lds, rds);
  }

  /** The four files of a golden case, by type short name ({@code cds}, ...). */
  public Map<String, String> printed() {
    Map<String, String> out = new TreeMap<>();
    out.put("cds", ProtoYaml.printAll(clusters.values()));
    out.put("eds", ProtoYaml.printAll(endpoints.values()));
    out.put("lds", ProtoYaml.printAll(listeners.values()));
    out.put("rds", ProtoYaml.printAll(routes.values()));
    return out;
  }

  public static SortedSet<String> edsNames(Map<String, Message> clusters) {
    SortedSet<String> names = new TreeSet<>();
    for (Message m : clusters.values()) {
      Cluster c = (Cluster) m;
      if (c.getType() == Cluster.DiscoveryType.EDS) {
        String service = c.getEdsClusterConfig().getServiceName();
        names.add(service.isEmpty() ? c.getName() : service);
      }
    }
    return names;
  }

  public static SortedSet<String> rdsNames(Map<String, Message> listeners) {
    SortedSet<String> names = new TreeSet<>();
    for (Message m : listeners.values()) {
      for (HttpConnectionManager hcm : connectionManagers((Listener) m)) {
        if (hcm.hasRds()) {
          names.add(hcm.getRds().getRouteConfigName());
        }
      }
    }
    return names;
  }

  /** Every HCM of a listener, default chain included. */
  public static List<HttpConnectionManager> connectionManagers(Listener l) {
    List<FilterChain> chains = new ArrayList<>(l.getFilterChainsList());
    if (l.hasDefaultFilterChain()) {
      chains.add(l.getDefaultFilterChain());
    }
    List<HttpConnectionManager> out = new ArrayList<>();
    for (FilterChain c : chains) {
      for (Filter f : c.getFiltersList()) {
        if (f.getTypedConfig().is(HttpConnectionManager.class)) {
          out.add(Unpack.of(f.getTypedConfig(), HttpConnectionManager.class));
        }
      }
    }
    return out;
  }

  /** Route configs by name, typed. */
  public Map<String, RouteConfiguration> routeConfigs() {
    Map<String, RouteConfiguration> out = new TreeMap<>();
    routes.forEach((k, v) -> out.put(k, (RouteConfiguration) v));
    return out;
  }

  public List<Listener> listenerList() {
    return listeners.values().stream().map(Listener.class::cast).toList();
  }
}
