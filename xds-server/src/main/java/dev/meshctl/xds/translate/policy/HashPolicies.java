package dev.meshctl.xds.translate.policy;

import dev.meshctl.crds.networking.DestinationRule.ConsistentHash;
import dev.meshctl.crds.networking.DestinationRule.ConsistentHashLb;
import dev.meshctl.crds.networking.DestinationRule.HashKey;
import dev.meshctl.crds.networking.DestinationRule.HttpCookie;
import dev.meshctl.crds.networking.DestinationRule.HttpHeaderName;
import dev.meshctl.crds.networking.DestinationRule.HttpQueryParameterName;
import dev.meshctl.crds.networking.DestinationRule.UseSourceIp;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import java.util.Locale;
import java.util.Optional;

/**
 * The route {@code hash_policy} of a DestinationRule's {@code consistentHash}: a ring-hash or
 * maglev cluster hashes whatever the route names (header, cookie, source IP, query parameter).
 * Stateless; any thread.
 */
public final class HashPolicies {
  private HashPolicies() {}

  /** The hash policy of the traffic policy, or empty when it does not hash consistently. */
  public static Optional<RouteAction.HashPolicy> of(TrafficPolicy policy, boolean grpc) {
    if (policy.loadBalancer() == null
        || !(policy.loadBalancer().lbPolicy() instanceof ConsistentHash ch)) {
      return Optional.empty();
    }
    ConsistentHashLb lb = ch.consistentHash();
    if (lb == null || lb.hashKey() == null) {
      return Optional.empty();
    }
    HashKey key = lb.hashKey();
    RouteAction.HashPolicy.Builder h = RouteAction.HashPolicy.newBuilder();
    if (key instanceof HttpHeaderName header && header.httpHeaderName() != null) {
      h.setHeader(
          RouteAction.HashPolicy.Header.newBuilder()
              .setHeaderName(header.httpHeaderName().toLowerCase(Locale.ROOT)));
    } else if (grpc) {
      // grpc hashes only headers (gRFC A42); anything else would be ignored by the client.
      return Optional.empty();
    } else if (key instanceof HttpCookie cookie && cookie.httpCookie() != null) {
      RouteAction.HashPolicy.Cookie.Builder c =
          RouteAction.HashPolicy.Cookie.newBuilder().setName(cookie.httpCookie().name());
      if (cookie.httpCookie().path() != null) {
        c.setPath(cookie.httpCookie().path());
      }
      if (cookie.httpCookie().ttl() != null) {
        c.setTtl(Protos.duration(cookie.httpCookie().ttl()));
      }
      h.setCookie(c);
    } else if (key instanceof UseSourceIp ip && Boolean.TRUE.equals(ip.useSourceIp())) {
      h.setConnectionProperties(
          RouteAction.HashPolicy.ConnectionProperties.newBuilder().setSourceIp(true));
    } else if (key instanceof HttpQueryParameterName q && q.httpQueryParameterName() != null) {
      h.setQueryParameter(
          RouteAction.HashPolicy.QueryParameter.newBuilder().setName(q.httpQueryParameterName()));
    } else {
      return Optional.empty();
    }
    return Optional.of(h.build());
  }
}
