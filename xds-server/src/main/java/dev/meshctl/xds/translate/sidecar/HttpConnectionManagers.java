package dev.meshctl.xds.translate.sidecar;

import com.google.protobuf.BoolValue;
import dev.meshctl.xds.translate.common.ConfigSources;
import dev.meshctl.xds.translate.common.TypedConfigs;
import io.envoyproxy.envoy.config.core.v3.Http2ProtocolOptions;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.extensions.filters.http.cors.v3.Cors;
import io.envoyproxy.envoy.extensions.filters.http.fault.v3.HTTPFault;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.Rds;
import java.util.ArrayList;
import java.util.List;

/**
 * The sidecar's HTTP connection managers: outbound ones fetch their routes over RDS, inbound ones
 * carry an inline route config. Stateless; any thread.
 */
final class HttpConnectionManagers {
  private HttpConnectionManagers() {}

  /** An outbound HCM network filter whose routes come from RDS {@code routeConfigName}. */
  static Filter outbound(String statPrefix, String routeConfigName) {
    HttpConnectionManager hcm =
        base(statPrefix)
            .setRds(
                Rds.newBuilder()
                    .setConfigSource(ConfigSources.ads())
                    .setRouteConfigName(routeConfigName))
            .build();
    return TypedConfigs.networkFilter(TypedConfigs.HTTP_CONNECTION_MANAGER, hcm);
  }

  /** An inbound HCM network filter with an inline route config. */
  static Filter inbound(String statPrefix, RouteConfiguration routes, boolean http2) {
    return inbound(statPrefix, routes, http2, List.of());
  }

  /**
   * An inbound HCM network filter with an inline route config and {@code authz} (the workload's
   * RBAC filters) first in its HTTP filter chain, as Istio orders them.
   */
  static Filter inbound(
      String statPrefix, RouteConfiguration routes, boolean http2, List<HttpFilter> authz) {
    List<HttpFilter> filters = new ArrayList<>(authz);
    filters.addAll(httpFilters());
    HttpConnectionManager.Builder hcm =
        base(statPrefix, filters)
            .setRouteConfig(routes)
            // Over mTLS the app learns its caller's identity from x-forwarded-client-cert: Istio
            // appends the peer certificate's subject, URI SAN (the SPIFFE ID) and DNS SANs.
            .setForwardClientCertDetails(
                HttpConnectionManager.ForwardClientCertDetails.APPEND_FORWARD)
            .setSetCurrentClientCertDetails(
                HttpConnectionManager.SetCurrentClientCertDetails.newBuilder()
                    .setSubject(BoolValue.of(true))
                    .setUri(true)
                    .setDns(true));
    if (http2) {
      // An HTTP/2-only port (gRPC) must accept prior-knowledge h2 from the client.
      hcm.setHttp2ProtocolOptions(Http2ProtocolOptions.getDefaultInstance());
    }
    return TypedConfigs.networkFilter(TypedConfigs.HTTP_CONNECTION_MANAGER, hcm.build());
  }

  private static HttpConnectionManager.Builder base(String statPrefix) {
    return base(statPrefix, httpFilters());
  }

  private static HttpConnectionManager.Builder base(String statPrefix, List<HttpFilter> filters) {
    return HttpConnectionManager.newBuilder()
        .setStatPrefix(statPrefix)
        .addAllHttpFilters(filters)
        // Sidecars never trust the downstream address for XFF: the caller is the local app.
        .setUseRemoteAddress(BoolValue.of(false));
  }

  /**
   * The HTTP filter chain in Istio's order: fault, CORS, router. Fault and CORS do nothing by
   * themselves; VirtualService routes configure them per route ({@code typed_per_filter_config}).
   * RBAC (from AuthorizationPolicies) goes before fault on inbound chains.
   */
  static List<HttpFilter> httpFilters() {
    List<HttpFilter> filters = new ArrayList<>();
    filters.add(TypedConfigs.httpFilter(TypedConfigs.FAULT, HTTPFault.getDefaultInstance()));
    filters.add(TypedConfigs.httpFilter(TypedConfigs.CORS, Cors.getDefaultInstance()));
    filters.add(TypedConfigs.router());
    return filters;
  }
}
