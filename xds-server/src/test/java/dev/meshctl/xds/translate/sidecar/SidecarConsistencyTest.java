package dev.meshctl.xds.translate.sidecar;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Message;
import dev.meshctl.xds.testing.MeshFixture;
import dev.meshctl.xds.testing.Unpack;
import dev.meshctl.xds.testing.XdsDump;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Cross-resource checks over every golden case: what one resource names, another provides. A
 * dangling reference is a 503 (missing cluster) or a listener stuck warming (missing RDS) in Envoy.
 */
class SidecarConsistencyTest {

  static java.util.stream.Stream<String> cases() throws java.io.IOException {
    return SidecarGoldenTest.cases();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void everyReferencedClusterAndRouteConfigExists(String name) {
    XdsDump dump = XdsDump.generate(MeshFixture.load(SidecarGoldenTest.ROOT.resolve(name)));
    Set<String> referenced = new TreeSet<>();
    for (Listener l : dump.listenerList()) {
      for (FilterChain c : chains(l)) {
        for (Filter f : c.getFiltersList()) {
          if (f.getTypedConfig().is(TcpProxy.class)) {
            referenced.add(Unpack.of(f.getTypedConfig(), TcpProxy.class).getCluster());
          }
        }
      }
      for (HttpConnectionManager hcm : XdsDump.connectionManagers(l)) {
        if (hcm.hasRouteConfig()) {
          referenced.addAll(clustersOf(hcm.getRouteConfig()));
        }
      }
    }
    for (Message m : dump.routes().values()) {
      referenced.addAll(clustersOf((RouteConfiguration) m));
    }
    assertThat(dump.clusters().keySet()).containsAll(referenced);
    assertThat(dump.routes().keySet()).containsAll(XdsDump.rdsNames(dump.listeners()));
    assertThat(dump.endpoints().keySet()).isEqualTo(XdsDump.edsNames(dump.clusters()));
  }

  private static List<FilterChain> chains(Listener l) {
    List<FilterChain> out = new ArrayList<>(l.getFilterChainsList());
    if (l.hasDefaultFilterChain()) {
      out.add(l.getDefaultFilterChain());
    }
    return out;
  }

  private static Set<String> clustersOf(RouteConfiguration rc) {
    Set<String> out = new TreeSet<>();
    for (VirtualHost v : rc.getVirtualHostsList()) {
      for (Route r : v.getRoutesList()) {
        if (r.hasRoute()) {
          // One cluster, or weighted clusters (VirtualService splits), plus mirror targets.
          if (r.getRoute().hasWeightedClusters()) {
            r.getRoute().getWeightedClusters().getClustersList().forEach(w -> out.add(w.getName()));
          } else {
            out.add(r.getRoute().getCluster());
          }
          r.getRoute().getRequestMirrorPoliciesList().forEach(m -> out.add(m.getCluster()));
        }
      }
    }
    return out;
  }
}
