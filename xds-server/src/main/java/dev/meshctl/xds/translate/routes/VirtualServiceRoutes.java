package dev.meshctl.xds.translate.routes;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import com.google.protobuf.Duration;
import com.google.protobuf.UInt32Value;
import dev.meshctl.crds.decode.IstioConfig;
import dev.meshctl.crds.networking.Common.Destination;
import dev.meshctl.crds.networking.Common.HeaderOperations;
import dev.meshctl.crds.networking.Common.Headers;
import dev.meshctl.crds.networking.VirtualService;
import dev.meshctl.crds.networking.VirtualService.BytesBody;
import dev.meshctl.crds.networking.VirtualService.DerivePort;
import dev.meshctl.crds.networking.VirtualService.HttpDirectResponse;
import dev.meshctl.crds.networking.VirtualService.HttpMatchRequest;
import dev.meshctl.crds.networking.VirtualService.HttpMirrorPolicy;
import dev.meshctl.crds.networking.VirtualService.HttpRedirect;
import dev.meshctl.crds.networking.VirtualService.HttpRoute;
import dev.meshctl.crds.networking.VirtualService.HttpRouteDestination;
import dev.meshctl.crds.networking.VirtualService.Port;
import dev.meshctl.crds.networking.VirtualService.StringBody;
import dev.meshctl.xds.names.ResourceNames;
import dev.meshctl.xds.translate.common.TypedConfigs;
import dev.meshctl.xds.translate.policy.Protos;
import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.config.core.v3.RuntimeFractionalPercent;
import io.envoyproxy.envoy.config.route.v3.DirectResponseAction;
import io.envoyproxy.envoy.config.route.v3.RedirectAction;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.WeightedCluster;
import io.envoyproxy.envoy.type.matcher.v3.RegexMatchAndSubstitute;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Translates the HTTP rules of the VirtualServices bound to one host into Envoy routes, one route
 * per applicable match (a rule without matches gives one catch-all route), in rule order across the
 * VirtualServices in merge order. Used by the sidecar RDS and, with {@link RouteTarget#GRPC}, by
 * proxyless gRPC RDS, which receives only what grpc implements (see {@link RouteTarget}). Rules
 * still naming a {@code delegate} (unresolved; {@link
 * dev.meshctl.xds.model.VirtualServiceDelegates} merges the rest into their roots) are skipped.
 * Pure; any thread.
 */
public final class VirtualServiceRoutes {
  private static final Duration ZERO = Duration.getDefaultInstance();

  private VirtualServiceRoutes() {}

  /** Every route of the VirtualServices for the context's host, in order; empty when none. */
  public static List<Route> translate(List<IstioConfig> virtualServices, RouteContext ctx) {
    List<Route> out = new ArrayList<>();
    for (IstioConfig config : virtualServices) {
      VirtualService vs = config.spec(VirtualService.class);
      for (HttpRoute rule : vs.http()) {
        if (rule.delegate() != null) {
          continue;
        }
        if (rule.match().isEmpty()) {
          route(rule, null, HttpMatches.all(), config.namespace(), ctx).ifPresent(out::add);
          continue;
        }
        for (HttpMatchRequest m : rule.match()) {
          Optional<RouteMatch> match = HttpMatches.of(m, ctx);
          if (match.isPresent()) {
            route(rule, m, match.get(), config.namespace(), ctx).ifPresent(out::add);
          }
        }
      }
    }
    return out;
  }

  private static Optional<Route> route(
      HttpRoute rule, HttpMatchRequest m, RouteMatch match, String ns, RouteContext ctx) {
    Route.Builder r =
        Route.newBuilder()
            .setName(ResourceNames.virtualServiceRoute(rule.name(), m == null ? null : m.name()))
            .setMatch(match);
    if (rule.redirect() != null) {
      if (ctx.grpc()) {
        return Optional.empty();
      }
      r.setRedirect(redirect(rule.redirect(), ctx.port()));
    } else if (rule.directResponse() != null) {
      if (ctx.grpc()) {
        return Optional.empty();
      }
      r.setDirectResponse(directResponse(rule.directResponse()));
    } else if (!rule.route().isEmpty()) {
      r.setRoute(action(rule, ns, ctx));
    } else {
      return Optional.empty();
    }
    RoutePolicies.fault(rule.fault())
        .ifPresent(f -> r.putTypedPerFilterConfig(TypedConfigs.FAULT, Any.pack(f)));
    if (!ctx.grpc()) {
      if (rule.corsPolicy() != null) {
        r.putTypedPerFilterConfig(
            TypedConfigs.CORS, Any.pack(RoutePolicies.cors(rule.corsPolicy())));
      }
      Headers h = rule.headers();
      if (h != null) {
        HeaderOperations req = h.request();
        RoutePolicies.headersToAdd(req).stream()
            .filter(o -> !isAuthority(o.getHeader().getKey()))
            .forEach(r::addRequestHeadersToAdd);
        r.addAllRequestHeadersToRemove(RoutePolicies.headersToRemove(req));
        r.addAllResponseHeadersToAdd(RoutePolicies.headersToAdd(h.response()));
        r.addAllResponseHeadersToRemove(RoutePolicies.headersToRemove(h.response()));
      }
      if (rule.route().size() == 1 && rule.route().get(0).headers() != null) {
        // One destination: its header edits apply to the route itself.
        Headers d = rule.route().get(0).headers();
        r.addAllRequestHeadersToAdd(RoutePolicies.headersToAdd(d.request()))
            .addAllRequestHeadersToRemove(RoutePolicies.headersToRemove(d.request()))
            .addAllResponseHeadersToAdd(RoutePolicies.headersToAdd(d.response()))
            .addAllResponseHeadersToRemove(RoutePolicies.headersToRemove(d.response()));
      }
    }
    return Optional.of(r.build());
  }

  private static RouteAction action(HttpRoute rule, String ns, RouteContext ctx) {
    RouteAction.Builder a = RouteAction.newBuilder();
    List<HttpRouteDestination> dests = new ArrayList<>();
    for (HttpRouteDestination d : rule.route()) {
      // Zero weights are dropped; a single destination without weight takes everything.
      if (rule.route().size() == 1 || d.weight() == null || d.weight() > 0) {
        dests.add(d);
      }
    }
    if (dests.size() == 1) {
      Destination d = dests.get(0).destination();
      a.setCluster(ctx.cluster(ns, d.host(), d.subset(), port(d)));
    } else {
      WeightedCluster.Builder w = WeightedCluster.newBuilder();
      for (HttpRouteDestination d : dests) {
        Destination dd = d.destination();
        WeightedCluster.ClusterWeight.Builder cw =
            WeightedCluster.ClusterWeight.newBuilder()
                .setName(ctx.cluster(ns, dd.host(), dd.subset(), port(dd)))
                .setWeight(UInt32Value.of(d.weight() == null ? 0 : d.weight()));
        if (!ctx.grpc() && d.headers() != null) {
          cw.addAllRequestHeadersToAdd(RoutePolicies.headersToAdd(d.headers().request()))
              .addAllRequestHeadersToRemove(RoutePolicies.headersToRemove(d.headers().request()))
              .addAllResponseHeadersToAdd(RoutePolicies.headersToAdd(d.headers().response()))
              .addAllResponseHeadersToRemove(RoutePolicies.headersToRemove(d.headers().response()));
        }
        w.addClusters(cw);
      }
      a.setWeightedClusters(w);
    }
    Optional<RouteAction.HashPolicy> hash = hashPolicy(dests, ns, ctx);
    hash.ifPresent(a::addHashPolicy);
    timeout(a, rule.timeout(), ctx);
    RoutePolicies.retries(rule.retries(), ctx, hash.isPresent()).ifPresent(a::setRetryPolicy);
    if (!ctx.grpc()) {
      rewrite(a, rule);
      mirrors(a, rule, ns, ctx);
    }
    return a.build();
  }

  /** The destinations' common hash policy; none when they disagree (Istio's rule). */
  private static Optional<RouteAction.HashPolicy> hashPolicy(
      List<HttpRouteDestination> dests, String ns, RouteContext ctx) {
    Optional<RouteAction.HashPolicy> first = Optional.empty();
    for (int i = 0; i < dests.size(); i++) {
      Destination d = dests.get(i).destination();
      Optional<RouteAction.HashPolicy> h = ctx.hashPolicy(ns, d.host(), d.subset(), port(d));
      if (i == 0) {
        first = h;
      } else if (!h.equals(first)) {
        return Optional.empty();
      }
    }
    return first;
  }

  /**
   * Envoy: {@code timeout} (0 = none, Istio's default instead of Envoy's 15 s) and the same bound
   * for gRPC's {@code grpc-timeout} header. grpc: {@code max_stream_duration}, which is what grpc
   * reads (gRFC A31), only when the rule sets a timeout.
   */
  static void timeout(RouteAction.Builder a, java.time.Duration timeout, RouteContext ctx) {
    Duration d = timeout == null ? ZERO : Protos.duration(timeout);
    if (ctx.grpc()) {
      if (timeout != null) {
        a.setMaxStreamDuration(RouteAction.MaxStreamDuration.newBuilder().setMaxStreamDuration(d));
      }
      return;
    }
    a.setTimeout(d)
        .setMaxStreamDuration(
            RouteAction.MaxStreamDuration.newBuilder()
                .setMaxStreamDuration(ZERO)
                .setGrpcTimeoutHeaderMax(d));
  }

  private static void rewrite(RouteAction.Builder a, HttpRoute rule) {
    if (rule.rewrite() != null) {
      if (rule.rewrite().uri() != null && !rule.rewrite().uri().isEmpty()) {
        a.setPrefixRewrite(rule.rewrite().uri());
      }
      if (rule.rewrite().uriRegexRewrite() != null) {
        a.setRegexRewrite(
            RegexMatchAndSubstitute.newBuilder()
                .setPattern(HttpMatches.regex(rule.rewrite().uriRegexRewrite().match()))
                .setSubstitution(rule.rewrite().uriRegexRewrite().rewrite()));
      }
      if (rule.rewrite().authority() != null && !rule.rewrite().authority().isEmpty()) {
        a.setHostRewriteLiteral(rule.rewrite().authority());
      }
    }
    // headers.request.set of host/:authority rewrites the authority, as in Istio.
    Headers h = rule.headers();
    if (h != null && h.request() != null && h.request().set() != null) {
      h.request().set().entrySet().stream()
          .filter(e -> isAuthority(e.getKey()))
          .findFirst()
          .ifPresent(e -> a.setHostRewriteLiteral(e.getValue()));
    }
  }

  private static boolean isAuthority(String header) {
    String h = header.toLowerCase(Locale.ROOT);
    return h.equals("host") || h.equals(":authority");
  }

  private static void mirrors(RouteAction.Builder a, HttpRoute rule, String ns, RouteContext ctx) {
    if (rule.mirror() != null) {
      double pct =
          rule.mirrorPercentage() != null && rule.mirrorPercentage().value() != null
              ? rule.mirrorPercentage().value()
              : rule.mirrorPercent() != null ? rule.mirrorPercent() : 100;
      a.addRequestMirrorPolicies(mirror(rule.mirror(), pct, ns, ctx));
    }
    for (HttpMirrorPolicy m : rule.mirrors()) {
      double pct =
          m.percentage() != null && m.percentage().value() != null ? m.percentage().value() : 100;
      a.addRequestMirrorPolicies(mirror(m.destination(), pct, ns, ctx));
    }
  }

  private static RouteAction.RequestMirrorPolicy mirror(
      Destination d, double percent, String ns, RouteContext ctx) {
    return RouteAction.RequestMirrorPolicy.newBuilder()
        .setCluster(ctx.cluster(ns, d.host(), d.subset(), port(d)))
        .setRuntimeFraction(
            RuntimeFractionalPercent.newBuilder().setDefaultValue(Protos.perMillion(percent)))
        .build();
  }

  /**
   * Istio's redirect: {@code derivePort: FROM_REQUEST_PORT} is the port being routed (routes are
   * generated per listener port), {@code FROM_PROTOCOL_DEFAULT} leaves the port out (Envoy's
   * default); with either port form, {@code :80} for http and {@code :443} for https are left out
   * of the location, the scheme being the redirect's or {@code http} (gateways on TLS servers would
   * be {@code https} in Istio; we assume http there, so such a location keeps an explicit {@code
   * :443}).
   */
  private static RedirectAction redirect(HttpRedirect r, int routedPort) {
    RedirectAction.Builder b = RedirectAction.newBuilder();
    if (r.uri() != null && !r.uri().isEmpty()) {
      b.setPathRedirect(r.uri());
    }
    if (r.prefixRewrite() != null && !r.prefixRewrite().isEmpty()) {
      b.setPrefixRewrite(r.prefixRewrite());
    }
    if (r.authority() != null && !r.authority().isEmpty()) {
      b.setHostRedirect(r.authority());
    }
    if (r.redirectPort() != null) {
      int port = 0;
      if (r.redirectPort() instanceof Port p && p.port() != null && p.port() > 0) {
        port = p.port();
      } else if (r.redirectPort() instanceof DerivePort d
          && d.derivePort() == VirtualService.RedirectPortSelection.FROM_REQUEST_PORT) {
        port = routedPort;
      }
      String scheme = r.scheme() == null || r.scheme().isEmpty() ? "http" : r.scheme();
      boolean defaultPort =
          (port == 80 && scheme.equals("http")) || (port == 443 && scheme.equals("https"));
      if (port > 0 && !defaultPort) {
        b.setPortRedirect(port);
      }
    }
    if (r.scheme() != null && !r.scheme().isEmpty()) {
      b.setSchemeRedirect(r.scheme());
    }
    int code = r.redirectCode() == null || r.redirectCode() == 0 ? 301 : r.redirectCode();
    b.setResponseCode(
        switch (code) {
          case 302 -> RedirectAction.RedirectResponseCode.FOUND;
          case 303 -> RedirectAction.RedirectResponseCode.SEE_OTHER;
          case 307 -> RedirectAction.RedirectResponseCode.TEMPORARY_REDIRECT;
          case 308 -> RedirectAction.RedirectResponseCode.PERMANENT_REDIRECT;
          default -> RedirectAction.RedirectResponseCode.MOVED_PERMANENTLY;
        });
    return b.build();
  }

  private static DirectResponseAction directResponse(HttpDirectResponse d) {
    DirectResponseAction.Builder b = DirectResponseAction.newBuilder().setStatus(d.status());
    if (d.body() instanceof StringBody s && s.string() != null) {
      b.setBody(DataSource.newBuilder().setInlineString(s.string()));
    } else if (d.body() instanceof BytesBody bytes && bytes.bytes() != null) {
      b.setBody(
          DataSource.newBuilder()
              .setInlineBytes(ByteString.copyFrom(Base64.getDecoder().decode(bytes.bytes()))));
    }
    return b.build();
  }

  private static Integer port(Destination d) {
    return d.port() == null ? null : d.port().number();
  }
}
