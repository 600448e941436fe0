package dev.meshctl.xds.translate.sidecar;

import dev.meshctl.xds.model.MeshSnapshot;
import dev.meshctl.xds.names.ResourceNames;
import dev.meshctl.xds.proxy.Proxy;
import dev.meshctl.xds.translate.common.TypedConfigs;
import io.envoyproxy.envoy.config.core.v3.TrafficDirection;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * All of a sidecar's listeners (LDS): {@code virtualInbound}, the outbound per-port listeners and
 * {@code virtualOutbound} ({@code 0.0.0.0:15001}, where iptables redirects outbound connections; it
 * hands each to the listener matching its original destination, or to its catch-all chain). In
 * interception mode NONE there are no virtual listeners: every listener binds a real socket (the
 * outbound ones on 127.0.0.1). In TPROXY mode the virtual listeners are transparent. Pure; any
 * thread.
 */
public final class ListenerTranslator {
  private ListenerTranslator() {}

  /** Every listener, ordered by name. */
  public static List<Listener> translate(MeshSnapshot snapshot, SidecarScope scope) {
    List<Listener> out = new ArrayList<>();
    out.addAll(InboundListenerTranslator.translate(scope));
    out.addAll(OutboundListenerTranslator.translate(snapshot, scope));
    Proxy.InterceptionMode mode = scope.proxy().capture().mode();
    if (mode != Proxy.InterceptionMode.NONE) {
      // Without iptables nothing is redirected to 15001: every outbound listener binds instead.
      Listener.Builder virtual = virtualOutbound(scope).toBuilder();
      if (mode == Proxy.InterceptionMode.TPROXY) {
        virtual.setTransparent(com.google.protobuf.BoolValue.of(true));
      }
      out.add(virtual.build());
    }
    out.sort(Comparator.comparing(Listener::getName));
    return out;
  }

  static Listener virtualOutbound(SidecarScope scope) {
    return Listener.newBuilder()
        .setName(ResourceNames.VIRTUAL_OUTBOUND)
        .setAddress(
            Listeners.address(ResourceNames.WILDCARD_ADDRESS, ResourceNames.VIRTUAL_OUTBOUND_PORT))
        .addFilterChains(
            FilterChain.newBuilder()
                .setName(ResourceNames.VIRTUAL_OUTBOUND_CATCHALL_TCP)
                .addFilters(TypedConfigs.tcpProxy(scope.catchAllCluster())))
        .setUseOriginalDst(com.google.protobuf.BoolValue.of(true))
        .setTrafficDirection(TrafficDirection.OUTBOUND)
        .build();
  }
}
