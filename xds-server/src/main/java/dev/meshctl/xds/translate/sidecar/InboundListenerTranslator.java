package dev.meshctl.xds.translate.sidecar;

import com.google.protobuf.BoolValue;
import com.google.protobuf.UInt32Value;
import dev.meshctl.xds.model.MtlsMode;
import dev.meshctl.xds.model.Protocol;
import dev.meshctl.xds.names.ResourceNames;
import dev.meshctl.xds.proxy.Proxy;
import dev.meshctl.xds.translate.common.TypedConfigs;
import dev.meshctl.xds.translate.security.TlsContexts;
import dev.meshctl.xds.translate.security.authz.RbacBuilder;
import io.envoyproxy.envoy.config.core.v3.TrafficDirection;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.FilterChainMatch;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Builds {@code virtualInbound} ({@code 0.0.0.0:15006}), where iptables redirects every inbound
 * connection. Its chains, in Istio's order: {@code virtualInbound-blackhole} (traffic addressed to
 * 15006 itself would loop), the passthrough chains for ports no service declares ({@code
 * virtualInbound-catchall-http} for HTTP, {@code virtualInbound} for TCP, both to {@code
 * InboundPassthroughCluster}), then per served target port the chains {@code 0.0.0.0_<port>}
 * matched on destination port: HTTP to an HCM with an inline route to {@code inbound|<port>||}, TCP
 * to {@code tcp_proxy}, sniffed ports both. Each port's PeerAuthentication mode picks the chains
 * ({@link InboundChainOptions}): mutual-TLS chains match transport {@code tls} and Istio's ALPN and
 * terminate TLS with the workload certificate, plaintext chains match {@code raw_buffer}. Ports
 * with a port-level mode but no service get their own passthrough chains, as in Istio. The
 * AuthorizationPolicies that apply to the workload become RBAC filters on every chain but the
 * blackhole ({@link RbacBuilder}). Pure; any thread.
 */
public final class InboundListenerTranslator {
  private InboundListenerTranslator() {}

  /**
   * The inbound listeners: {@code virtualInbound} (unless the proxy's interception mode is NONE)
   * with the chains of every port reached through iptables, and a listener of its own ({@code
   * <bind>_<port>}, a real socket, no original-destination filter) for each port that binds one
   * (Sidecar ingress with {@code captureMode: NONE}, or interception mode NONE).
   */
  public static List<Listener> translate(SidecarScope scope) {
    String namespace = scope.proxy().namespace();
    Map<String, String> labels = scope.proxy().labels();
    var authn = scope.snapshot().peerAuthentications();
    RbacBuilder.AuthzFilters authz =
        RbacBuilder.of(scope.snapshot().authorizationPolicies().forWorkload(namespace, labels));
    List<Listener> out = new ArrayList<>();
    List<FilterChain> chains = new ArrayList<>();
    chains.add(blackhole());
    chains.addAll(passthroughChains(0, authn.mode(namespace, labels), authz));
    Set<Integer> served = new TreeSet<>();
    scope.inbound().forEach(in -> served.add(in.targetPort()));
    for (Map.Entry<Integer, MtlsMode> e : authn.portModes(namespace, labels).entrySet()) {
      if (!served.contains(e.getKey()) && e.getValue() != MtlsMode.UNSET) {
        chains.addAll(passthroughChains(e.getKey(), e.getValue(), authz));
      }
    }
    for (SidecarScope.InboundPort in : scope.inbound()) {
      List<FilterChain> port =
          portChains(in, authn.mode(namespace, labels, in.targetPort()), authz);
      if (in.bindToPort()) {
        out.add(
            inspected(
                    scope,
                    Listener.newBuilder()
                        .setName(ResourceNames.listener(in.bind(), in.targetPort()))
                        .setAddress(Listeners.address(in.bind(), in.targetPort()))
                        .setMaxConnectionsToAcceptPerSocketEvent(
                            UInt32Value.of(Listeners.MAX_CONNECTIONS_PER_SOCKET_EVENT)),
                    port)
                .build());
      } else {
        chains.addAll(port);
      }
    }
    Proxy.InterceptionMode mode = scope.proxy().capture().mode();
    if (mode != Proxy.InterceptionMode.NONE) {
      Listener.Builder l =
          Listener.newBuilder()
              .setName(ResourceNames.VIRTUAL_INBOUND)
              .setAddress(
                  Listeners.address(
                      ResourceNames.WILDCARD_ADDRESS, ResourceNames.VIRTUAL_INBOUND_PORT))
              .addListenerFilters(TypedConfigs.originalDst());
      if (mode == Proxy.InterceptionMode.TPROXY) {
        // TPROXY keeps the client's address: the listener is transparent and upstream
        // connections to the app reuse the client's source (Istio's mark 1337).
        l.setTransparent(BoolValue.of(true)).addListenerFilters(TypedConfigs.originalSrc());
      }
      out.add(0, inspected(scope, l, chains).build());
    }
    return out;
  }

  /** Chains, Istio's inbound settings and the inspectors the chains need. */
  private static Listener.Builder inspected(
      SidecarScope scope, Listener.Builder l, List<FilterChain> chains) {
    l.addAllFilterChains(chains)
        .setTrafficDirection(TrafficDirection.INBOUND)
        .setContinueOnListenerFiltersTimeout(true);
    InboundInspectors.tlsInspector(chains).ifPresent(l::addListenerFilters);
    // After the TLS inspector: the HTTP inspector does not look inside TLS.
    InboundInspectors.httpInspector(chains).ifPresent(l::addListenerFilters);
    // Istio bounds inbound sniffing by the mesh's protocolDetectionTimeout (0: wait forever).
    return l.setListenerFiltersTimeout(
        ClusterTranslator.duration(scope.mesh().defaults().protocolDetectionTimeout()));
  }

  /** Chains for traffic to ports no service declares ({@code port} 0: any such port). */
  private static List<FilterChain> passthroughChains(
      int port, MtlsMode mode, RbacBuilder.AuthzFilters authz) {
    String cluster = ResourceNames.INBOUND_PASSTHROUGH_CLUSTER;
    List<FilterChain> out = new ArrayList<>();
    for (InboundChainOptions o : InboundChainOptions.of(mode, ListenerProtocol.AUTO)) {
      out.add(
          o.http()
              ? httpChain(
                  ResourceNames.VIRTUAL_INBOUND_CATCHALL_HTTP,
                  port,
                  ResourceNames.statPrefix(cluster),
                  RouteTranslator.inbound(cluster, 0),
                  false,
                  o,
                  authz)
              : tcpChain(ResourceNames.VIRTUAL_INBOUND_PASSTHROUGH_TCP, port, cluster, o, authz));
    }
    return out;
  }

  private static List<FilterChain> portChains(
      SidecarScope.InboundPort in, MtlsMode mode, RbacBuilder.AuthzFilters authz) {
    int port = in.targetPort();
    // Sidecar ingress ports name their chains (and listener) by their bind, the pod IP unless the
    // Sidecar says otherwise, as Istio does; service ports by the wildcard.
    String bind = in.bind().isEmpty() ? ResourceNames.WILDCARD_ADDRESS : in.bind();
    String name = ResourceNames.inboundFilterChain(bind, port);
    String cluster = ResourceNames.inboundCluster(port);
    Protocol protocol = in.target().port().protocol();
    ListenerProtocol lp = ListenerProtocol.of(protocol);
    if (lp == ListenerProtocol.NONE) {
      return List.of();
    }
    boolean http2 = lp == ListenerProtocol.HTTP && ListenerProtocol.isHttp2(protocol);
    String statPrefix = ResourceNames.inboundHttpStatPrefix(bind, port);
    // The vhost is named by the service port, the route config and cluster by the target port.
    int servicePort = in.target().port().port();
    List<FilterChain> out = new ArrayList<>();
    for (InboundChainOptions o : InboundChainOptions.of(mode, lp)) {
      out.add(
          o.http()
              ? httpChain(
                  name,
                  port,
                  statPrefix,
                  RouteTranslator.inbound(cluster, servicePort),
                  http2,
                  o,
                  authz)
              : tcpChain(name, port, cluster, o, authz));
    }
    return out;
  }

  private static FilterChain blackhole() {
    return FilterChain.newBuilder()
        .setName(ResourceNames.VIRTUAL_INBOUND_BLACKHOLE)
        .setFilterChainMatch(
            FilterChainMatch.newBuilder()
                .setDestinationPort(UInt32Value.of(ResourceNames.VIRTUAL_INBOUND_PORT)))
        .addFilters(TypedConfigs.tcpProxy(ResourceNames.BLACKHOLE_CLUSTER))
        .build();
  }

  private static FilterChain httpChain(
      String name,
      int port,
      String statPrefix,
      io.envoyproxy.envoy.config.route.v3.RouteConfiguration routes,
      boolean http2,
      InboundChainOptions o,
      RbacBuilder.AuthzFilters authz) {
    FilterChain.Builder c =
        FilterChain.newBuilder()
            .setName(name)
            .setFilterChainMatch(match(port, o))
            .addFilters(HttpConnectionManagers.inbound(statPrefix, routes, http2, authz.http()));
    if (o.mtls()) {
      c.setTransportSocket(TlsContexts.tlsSocket(TlsContexts.istioMutualDownstream(false)));
    }
    return c.build();
  }

  private static FilterChain tcpChain(
      String name,
      int port,
      String cluster,
      InboundChainOptions o,
      RbacBuilder.AuthzFilters authz) {
    FilterChain.Builder c =
        FilterChain.newBuilder()
            .setName(name)
            .setFilterChainMatch(match(port, o))
            // The workload's RBAC filters see the connection before it is proxied.
            .addAllFilters(authz.tcp())
            .addFilters(TypedConfigs.tcpProxy(cluster));
    if (o.mtls()) {
      c.setTransportSocket(TlsContexts.tlsSocket(TlsContexts.istioMutualDownstream(true)));
    }
    return c.build();
  }

  private static FilterChainMatch.Builder match(int port, InboundChainOptions o) {
    FilterChainMatch.Builder m = FilterChainMatch.newBuilder();
    if (port > 0) {
      m.setDestinationPort(UInt32Value.of(port));
    }
    return m.setTransportProtocol(o.transport()).addAllApplicationProtocols(o.alpns());
  }
}
