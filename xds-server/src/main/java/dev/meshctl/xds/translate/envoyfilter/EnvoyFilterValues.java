package dev.meshctl.xds.translate.envoyfilter;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import dev.meshctl.crds.decode.IstioConfig;
import dev.meshctl.crds.networking.EnvoyFilter;
import dev.meshctl.crds.networking.EnvoyFilter.EnvoyConfigObjectPatch;
import dev.meshctl.crds.validation.Finding;
import dev.meshctl.xds.validate.PgvValidator;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.TypedExtensionConfig;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.listener.v3.ListenerFilter;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import java.util.ArrayList;
import java.util.List;

/**
 * The part of EnvoyFilter validation that needs Envoy's types (Istio's {@code
 * BuildXDSObjectFromStruct} check): each patch value must read as the type its {@code applyTo}
 * implies, packed {@code @type}s included (an error otherwise); fields the type does not have are a
 * warning, as Istio ignores them when applying. Stateless; any thread.
 */
public final class EnvoyFilterValues {
  private static final ProtoValues VALUES = new ProtoValues(new PgvValidator());

  private EnvoyFilterValues() {}

  /** The findings for {@code config}'s patch values; none for other kinds. */
  public static List<Finding> check(IstioConfig config) {
    List<Finding> out = new ArrayList<>();
    if (!(config.spec() instanceof EnvoyFilter ef)) {
      return out;
    }
    for (int i = 0; i < ef.configPatches().size(); i++) {
      EnvoyConfigObjectPatch p = ef.configPatches().get(i);
      if (p == null || p.patch() == null || p.patch().value() == null || p.applyTo() == null) {
        continue;
      }
      Message type = typeOf(p.applyTo());
      if (type == null) {
        continue;
      }
      String path = "spec.configPatches[" + i + "].patch.value";
      String what = type.getDescriptorForType().getFullName();
      try {
        VALUES.parse(p.patch().value(), type, false);
      } catch (InvalidProtocolBufferException | RuntimeException e) {
        out.add(
            new Finding(
                Finding.Severity.ERROR,
                config.what(),
                path,
                "does not read as " + what + ": " + e.getMessage()));
        continue;
      }
      try {
        VALUES.parse(p.patch().value(), type, true);
      } catch (InvalidProtocolBufferException | RuntimeException e) {
        out.add(
            new Finding(
                Finding.Severity.WARNING,
                config.what(),
                path,
                "ignored when applied: " + e.getMessage()));
      }
    }
    return out;
  }

  private static Message typeOf(EnvoyFilter.ApplyTo applyTo) {
    return switch (applyTo) {
      case CLUSTER -> Cluster.getDefaultInstance();
      case LISTENER -> Listener.getDefaultInstance();
      case FILTER_CHAIN -> FilterChain.getDefaultInstance();
      case NETWORK_FILTER -> Filter.getDefaultInstance();
      case HTTP_FILTER -> HttpFilter.getDefaultInstance();
      case ROUTE_CONFIGURATION -> RouteConfiguration.getDefaultInstance();
      case VIRTUAL_HOST -> VirtualHost.getDefaultInstance();
      case HTTP_ROUTE -> Route.getDefaultInstance();
      case LISTENER_FILTER -> ListenerFilter.getDefaultInstance();
      case EXTENSION_CONFIG -> TypedExtensionConfig.getDefaultInstance();
      case BOOTSTRAP, INVALID -> null;
    };
  }
}
