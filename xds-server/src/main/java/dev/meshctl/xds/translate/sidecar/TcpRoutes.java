package dev.meshctl.xds.translate.sidecar;

import com.google.protobuf.UInt32Value;
import dev.meshctl.crds.decode.IstioConfig;
import dev.meshctl.crds.networking.VirtualService;
import dev.meshctl.xds.model.IstioHosts;
import dev.meshctl.xds.model.Protocol;
import dev.meshctl.xds.model.Service;
import dev.meshctl.xds.model.ServicePort;
import dev.meshctl.xds.names.ResourceNames;
import dev.meshctl.xds.translate.common.TypedConfigs;
import io.envoyproxy.envoy.config.core.v3.CidrRange;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.FilterChainMatch;
import io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The TCP filter chains of one outbound listener, from the {@code tls[]} and {@code tcp[]} rules of
 * the VirtualServices bound to its services, as Istio builds them:
 *
 * <ul>
 *   <li>a {@code tls} rule (TLS and HTTPS ports only) gives one chain per match, matching {@code
 *       sniHosts} as {@code server_names} and {@code destinationSubnets} as prefix ranges;
 *   <li>the first applicable {@code tcp} rule gives a chain matching its {@code
 *       destinationSubnets};
 *   <li>a TLS service without VIP and without tls rules gets a chain matching its own host as SNI,
 *       so several external TLS hosts can share {@code 0.0.0.0_<port>};
 *   <li>otherwise the chain proxies to the service's own cluster.
 * </ul>
 *
 * A rule's match applies to this proxy only when its {@code port} (if set) is the listener's, its
 * {@code sourceLabels} are among the proxy's labels, its {@code sourceNamespace} (if set) is the
 * proxy's and its {@code gateways} (if set) include {@code mesh}. Several destinations become a
 * {@code weighted_clusters} tcp_proxy. Chains with identical matches keep the first (Envoy rejects
 * duplicates), rule chains before service defaults. Pure; any thread.
 */
final class TcpRoutes {
  private TcpRoutes() {}

  /** One service claiming a listener, and the CIDR it is reached through ({@code ""}: none). */
  record Claim(Service service, ServicePort port, String cidr) {}

  static List<FilterChain> chains(SidecarScope scope, int listenerPort, List<Claim> claims) {
    Map<FilterChainMatch, FilterChain> byMatch = new LinkedHashMap<>();
    // Service defaults come after every rule: a VirtualService's chain wins over another service's
    // default chain with the same match (two hosts sharing one address).
    Map<FilterChainMatch, FilterChain> defaults = new LinkedHashMap<>();
    for (Claim claim : claims) {
      String host = scope.host(claim.service());
      boolean tls =
          claim.port().protocol() == Protocol.TLS || claim.port().protocol() == Protocol.HTTPS;
      List<IstioConfig> vss =
          scope.snapshot().virtualServices().forHost(host, scope.proxy().namespace());
      boolean routed = false;
      for (IstioConfig vs : vss) {
        VirtualService spec = vs.spec(VirtualService.class);
        if (tls && spec.tls() != null) {
          for (VirtualService.TlsRoute rule : spec.tls()) {
            for (VirtualService.TlsMatchAttributes m : rule.match()) {
              if (!applies(
                  scope,
                  m.port(),
                  m.sourceLabels(),
                  m.sourceNamespace(),
                  m.gateways(),
                  listenerPort)) {
                continue;
              }
              FilterChainMatch.Builder match = FilterChainMatch.newBuilder();
              m.sniHosts().forEach(h -> match.addServerNames(h.toLowerCase(java.util.Locale.ROOT)));
              addPrefixes(match, m.destinationSubnets(), claim.cidr());
              byMatch.putIfAbsent(
                  match.build(),
                  chain(match.build(), proxy(scope, vs, rule.route(), listenerPort)));
              routed = true;
            }
          }
        }
        if (routed || spec.tcp() == null) {
          continue;
        }
        for (VirtualService.TcpRoute rule : spec.tcp()) {
          Optional<FilterChainMatch> match = tcpMatch(scope, rule, listenerPort, claim.cidr());
          if (match.isPresent()) {
            byMatch.putIfAbsent(
                match.get(), chain(match.get(), proxy(scope, vs, rule.route(), listenerPort)));
            routed = true;
            if (match.get().getPrefixRangesCount() == 0 || !claim.cidr().isEmpty()) {
              break; // a rule matching everything here shadows the later ones
            }
          }
        }
        if (routed) {
          break;
        }
      }
      if (!routed) {
        FilterChainMatch.Builder match = FilterChainMatch.newBuilder();
        if (tls && claim.service().vip().isEmpty()) {
          match.addServerNames(host);
        }
        addPrefixes(match, List.of(), claim.cidr());
        String cluster = ResourceNames.outboundCluster(claim.port().port(), "", host);
        defaults.putIfAbsent(match.build(), chain(match.build(), TypedConfigs.tcpProxy(cluster)));
      }
    }
    defaults.forEach(byMatch::putIfAbsent);
    return new ArrayList<>(byMatch.values());
  }

  /** The match of the first {@code match} entry of a tcp rule that applies (no match: all). */
  private static Optional<FilterChainMatch> tcpMatch(
      SidecarScope scope, VirtualService.TcpRoute rule, int listenerPort, String cidr) {
    if (rule.match() == null || rule.match().isEmpty()) {
      FilterChainMatch.Builder b = FilterChainMatch.newBuilder();
      addPrefixes(b, List.of(), cidr);
      return Optional.of(b.build());
    }
    for (VirtualService.L4MatchAttributes m : rule.match()) {
      if (applies(
          scope, m.port(), m.sourceLabels(), m.sourceNamespace(), m.gateways(), listenerPort)) {
        FilterChainMatch.Builder b = FilterChainMatch.newBuilder();
        addPrefixes(b, m.destinationSubnets(), cidr);
        return Optional.of(b.build());
      }
    }
    return Optional.empty();
  }

  private static boolean applies(
      SidecarScope scope,
      Integer port,
      Map<String, String> sourceLabels,
      String sourceNamespace,
      List<String> gateways,
      int listenerPort) {
    if (port != null && port != 0 && port != listenerPort) {
      return false;
    }
    if (sourceLabels != null
        && !scope.proxy().labels().entrySet().containsAll(sourceLabels.entrySet())) {
      return false;
    }
    if (sourceNamespace != null
        && !sourceNamespace.isEmpty()
        && !sourceNamespace.equals(scope.proxy().namespace())) {
      return false;
    }
    return gateways == null || gateways.isEmpty() || gateways.contains("mesh");
  }

  private static void addPrefixes(FilterChainMatch.Builder b, List<String> subnets, String cidr) {
    List<String> all = new ArrayList<>();
    if (subnets != null) {
      all.addAll(subnets);
    }
    if (all.isEmpty() && !cidr.isEmpty()) {
      all.add(cidr);
    }
    for (String s : all) {
      int slash = s.indexOf('/');
      String ip = slash < 0 ? s : s.substring(0, slash);
      int len = slash < 0 ? (ip.indexOf(':') < 0 ? 32 : 128) : prefixLength(s.substring(slash + 1));
      if (len < 0) {
        continue; // validation rejects malformed subnets; never throw from a translator
      }
      b.addPrefixRanges(
          CidrRange.newBuilder().setAddressPrefix(ip).setPrefixLen(UInt32Value.of(len)));
    }
  }

  private static int prefixLength(String s) {
    try {
      return Integer.parseInt(s);
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private static FilterChain chain(
      FilterChainMatch match, io.envoyproxy.envoy.config.listener.v3.Filter filter) {
    FilterChain.Builder c = FilterChain.newBuilder();
    if (!match.equals(FilterChainMatch.getDefaultInstance())) {
      c.setFilterChainMatch(match);
    }
    return c.addFilters(filter).build();
  }

  /**
   * A tcp_proxy to the rule's destinations: one cluster, or weighted clusters (stat prefix: the
   * first destination's cluster).
   */
  private static io.envoyproxy.envoy.config.listener.v3.Filter proxy(
      SidecarScope scope,
      IstioConfig vs,
      List<VirtualService.RouteDestination> route,
      int listenerPort) {
    List<String> clusters = new ArrayList<>();
    List<Integer> weights = new ArrayList<>();
    for (VirtualService.RouteDestination d :
        route == null ? List.<VirtualService.RouteDestination>of() : route) {
      clusters.add(cluster(scope, vs, d, listenerPort));
      weights.add(d.weight() == null ? 0 : d.weight());
    }
    if (clusters.isEmpty()) {
      return TypedConfigs.tcpProxy(ResourceNames.BLACKHOLE_CLUSTER);
    }
    if (clusters.size() == 1) {
      return TypedConfigs.tcpProxy(clusters.get(0));
    }
    TcpProxy.WeightedCluster.Builder wc = TcpProxy.WeightedCluster.newBuilder();
    for (int i = 0; i < clusters.size(); i++) {
      if (weights.get(i) > 0) {
        wc.addClusters(
            TcpProxy.WeightedCluster.ClusterWeight.newBuilder()
                .setName(clusters.get(i))
                .setWeight(weights.get(i)));
      }
    }
    return TypedConfigs.networkFilter(
        TypedConfigs.TCP_PROXY,
        TcpProxy.newBuilder().setStatPrefix(clusters.get(0)).setWeightedClusters(wc).build());
  }

  /**
   * The destination's cluster: its port, else the only port of the destination service, else the
   * listener's port (Istio's rule).
   */
  private static String cluster(
      SidecarScope scope, IstioConfig vs, VirtualService.RouteDestination d, int listenerPort) {
    String host = IstioHosts.resolve(d.destination().host(), vs.namespace(), scope.domainSuffix());
    int port = listenerPort;
    if (d.destination().port() != null && d.destination().port().number() != null) {
      port = d.destination().port().number();
    } else {
      Optional<Service> target = scope.snapshot().services().byHost(host);
      if (target.isPresent() && target.get().ports().size() == 1) {
        port = target.get().ports().get(0).port();
      }
    }
    String subset = d.destination().subset() == null ? "" : d.destination().subset();
    return ResourceNames.outboundCluster(port, subset, host);
  }
}
