package dev.meshctl.xds.translate.common;

import com.google.protobuf.Any;
import io.envoyproxy.envoy.extensions.filters.http.fault.v3.HTTPFault;
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;

/**
 * HTTP filters (and the HTTP connection manager's network filter name) under Envoy's canonical
 * extension names, with their typed configs packed in {@link Any}. Envoy and grpc select a filter
 * by the type URL of its {@code typed_config}; the name is what Istio's tooling and per-route
 * {@code typed_per_filter_config} keys expect. Stateless; any thread.
 */
public final class HttpFilters {
  /** Network filter name of the HTTP connection manager. */
  public static final String HTTP_CONNECTION_MANAGER =
      "envoy.filters.network.http_connection_manager";

  public static final String ROUTER = "envoy.filters.http.router";
  public static final String FAULT = "envoy.filters.http.fault";

  private static final HttpFilter ROUTER_FILTER =
      HttpFilter.newBuilder()
          .setName(ROUTER)
          .setTypedConfig(Any.pack(Router.getDefaultInstance()))
          .build();

  private static final HttpFilter FAULT_FILTER =
      HttpFilter.newBuilder()
          .setName(FAULT)
          .setTypedConfig(Any.pack(HTTPFault.getDefaultInstance()))
          .build();

  private HttpFilters() {}

  /** The terminal router filter with an empty {@link Router} config; always the last filter. */
  public static HttpFilter router() {
    return ROUTER_FILTER;
  }

  /**
   * The fault filter with an empty {@link HTTPFault}: injects nothing by itself, but must be
   * present for per-route fault configs (VirtualService {@code fault}) to take effect.
   */
  public static HttpFilter fault() {
    return FAULT_FILTER;
  }
}
