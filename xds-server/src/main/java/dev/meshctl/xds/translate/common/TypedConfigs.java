package dev.meshctl.xds.translate.common;

import com.google.protobuf.Any;
import com.google.protobuf.Message;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.ListenerFilter;
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import io.envoyproxy.envoy.extensions.filters.listener.http_inspector.v3.HttpInspector;
import io.envoyproxy.envoy.extensions.filters.listener.original_dst.v3.OriginalDst;
import io.envoyproxy.envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy;

/**
 * Envoy's canonical extension names and the packing of typed configs into filters, so every
 * translator spells them the same way ({@code envoy.filters.network.http_connection_manager}, not a
 * deprecated alias). Stateless; any thread.
 */
public final class TypedConfigs {
  private TypedConfigs() {}

  public static final String HTTP_CONNECTION_MANAGER =
      "envoy.filters.network.http_connection_manager";
  public static final String TCP_PROXY = "envoy.filters.network.tcp_proxy";
  public static final String SNI_CLUSTER = "envoy.filters.network.sni_cluster";
  public static final String ROUTER = "envoy.filters.http.router";
  public static final String FAULT = "envoy.filters.http.fault";
  public static final String CORS = "envoy.filters.http.cors";
  public static final String RBAC_HTTP = "envoy.filters.http.rbac";
  public static final String RBAC_NETWORK = "envoy.filters.network.rbac";
  public static final String ORIGINAL_DST = "envoy.filters.listener.original_dst";
  public static final String TLS_INSPECTOR = "envoy.filters.listener.tls_inspector";
  public static final String ORIGINAL_SRC = "envoy.filters.listener.original_src";

  /**
   * The socket mark Istio's TPROXY rules route by (istio-iptables {@code --inbound-tproxy-mark}).
   */
  public static final int TPROXY_MARK = 1337;

  public static final String HTTP_INSPECTOR = "envoy.filters.listener.http_inspector";
  public static final String PREVIOUS_HOSTS = "envoy.retry_host_predicates.previous_hosts";

  /** Key of {@code typed_extension_protocol_options} for upstream HTTP settings. */
  public static final String UPSTREAM_HTTP_PROTOCOL_OPTIONS =
      "envoy.extensions.upstreams.http.v3.HttpProtocolOptions";

  /** A network filter carrying {@code config} as its typed config. */
  public static Filter networkFilter(String name, Message config) {
    return Filter.newBuilder().setName(name).setTypedConfig(Any.pack(config)).build();
  }

  /** A {@code tcp_proxy} network filter to one cluster, with Istio's stat prefix (the cluster). */
  public static Filter tcpProxy(String cluster) {
    return networkFilter(
        TCP_PROXY, TcpProxy.newBuilder().setStatPrefix(cluster).setCluster(cluster).build());
  }

  /** An HTTP filter carrying {@code config} as its typed config. */
  public static HttpFilter httpFilter(String name, Message config) {
    return HttpFilter.newBuilder().setName(name).setTypedConfig(Any.pack(config)).build();
  }

  /** The terminal router filter every HTTP filter chain ends with. */
  public static HttpFilter router() {
    return httpFilter(ROUTER, Router.getDefaultInstance());
  }

  public static ListenerFilter listenerFilter(String name, Message config) {
    return ListenerFilter.newBuilder().setName(name).setTypedConfig(Any.pack(config)).build();
  }

  public static ListenerFilter originalDst() {
    return listenerFilter(ORIGINAL_DST, OriginalDst.getDefaultInstance());
  }

  /** The client's source address on upstream connections (TPROXY), marked for Istio's routing. */
  public static ListenerFilter originalSrc() {
    return listenerFilter(
        ORIGINAL_SRC,
        io.envoyproxy.envoy.extensions.filters.listener.original_src.v3.OriginalSrc.newBuilder()
            .setMark(TPROXY_MARK)
            .build());
  }

  public static ListenerFilter tlsInspector() {
    return listenerFilter(TLS_INSPECTOR, TlsInspector.getDefaultInstance());
  }

  public static ListenerFilter httpInspector() {
    return listenerFilter(HTTP_INSPECTOR, HttpInspector.getDefaultInstance());
  }
}
