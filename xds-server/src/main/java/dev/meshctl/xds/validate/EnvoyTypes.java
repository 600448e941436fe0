package dev.meshctl.xds.validate;

import com.google.protobuf.Descriptors.Descriptor;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.extensions.access_loggers.file.v3.FileAccessLog;
import io.envoyproxy.envoy.extensions.filters.http.cors.v3.Cors;
import io.envoyproxy.envoy.extensions.filters.http.fault.v3.HTTPFault;
import io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication;
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import io.envoyproxy.envoy.extensions.filters.listener.http_inspector.v3.HttpInspector;
import io.envoyproxy.envoy.extensions.filters.listener.original_dst.v3.OriginalDst;
import io.envoyproxy.envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy;
import io.envoyproxy.envoy.extensions.transport_sockets.raw_buffer.v3.RawBuffer;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions;
import java.util.List;

/**
 * The Envoy message types we generate or pack into {@code Any} fields. The files declaring them,
 * and everything those files import, are where {@link PgvValidator} looks up packed type URLs; a
 * type packed anywhere in our output must be declared in one of them. Constant; any thread.
 */
public final class EnvoyTypes {
  private EnvoyTypes() {}

  /** Root types: xDS resources, the filters and transport sockets we configure. */
  public static final List<Descriptor> ROOTS =
      List.of(
          Cluster.getDescriptor(),
          ClusterLoadAssignment.getDescriptor(),
          Listener.getDescriptor(),
          RouteConfiguration.getDescriptor(),
          Secret.getDescriptor(),
          HttpConnectionManager.getDescriptor(),
          Router.getDescriptor(),
          HTTPFault.getDescriptor(),
          Cors.getDescriptor(),
          JwtAuthentication.getDescriptor(),
          io.envoyproxy.envoy.extensions.filters.http.rbac.v3.RBAC.getDescriptor(),
          io.envoyproxy.envoy.extensions.filters.network.rbac.v3.RBAC.getDescriptor(),
          TcpProxy.getDescriptor(),
          // Gateway AUTO_PASSTHROUGH: upstream cluster taken from the SNI.
          io.envoyproxy.envoy.extensions.filters.network.sni_cluster.v3.SniCluster.getDescriptor(),
          OriginalDst.getDescriptor(),
          TlsInspector.getDescriptor(),
          HttpInspector.getDescriptor(),
          UpstreamTlsContext.getDescriptor(),
          DownstreamTlsContext.getDescriptor(),
          // Cluster typed_extension_protocol_options, access logs and plaintext transport sockets.
          HttpProtocolOptions.getDescriptor(),
          // Retry priority of VirtualService retryRemoteLocalities.
          io.envoyproxy.envoy.extensions.retry.priority.previous_priorities.v3
              .PreviousPrioritiesConfig.getDescriptor(),
          FileAccessLog.getDescriptor(),
          RawBuffer.getDescriptor());
}
