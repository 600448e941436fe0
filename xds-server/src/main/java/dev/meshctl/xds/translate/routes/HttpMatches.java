package dev.meshctl.xds.translate.routes;

import com.google.protobuf.BoolValue;
import dev.meshctl.crds.networking.StringMatch;
import dev.meshctl.crds.networking.VirtualService.HttpMatchRequest;
import io.envoyproxy.envoy.config.route.v3.HeaderMatcher;
import io.envoyproxy.envoy.config.route.v3.QueryParameterMatcher;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.type.matcher.v3.RegexMatcher;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Translates one VirtualService {@code HTTPMatchRequest} into an Envoy {@link RouteMatch}, or
 * decides it does not apply to this client at all: {@code port}, {@code sourceLabels}, {@code
 * sourceNamespace} and {@code gateways} filter at generation time, as in Istio. Header and query
 * matchers are emitted in name order so output is deterministic. Pure; any thread.
 */
final class HttpMatches {
  private HttpMatches() {}

  /** The catch-all match of a rule without matches. */
  static RouteMatch all() {
    return RouteMatch.newBuilder().setPrefix("/").build();
  }

  /**
   * The route match for {@code m}, or empty when the match cannot apply to this client (another
   * port, other source labels or namespace, gateways only) or to its target (query parameters for
   * grpc, which skips such routes).
   */
  static Optional<RouteMatch> of(HttpMatchRequest m, RouteContext ctx) {
    if (m.port() != null && m.port() != 0 && m.port() != ctx.port()) {
      return Optional.empty();
    }
    if (m.sourceLabels() != null
        && !ctx.proxyLabels().entrySet().containsAll(m.sourceLabels().entrySet())) {
      return Optional.empty();
    }
    if (m.sourceNamespace() != null
        && !m.sourceNamespace().isEmpty()
        && !m.sourceNamespace().equals(ctx.proxyNamespace())) {
      return Optional.empty();
    }
    if (m.gateways() != null
        && !m.gateways().isEmpty()
        && m.gateways().stream().noneMatch(ctx.gateways()::contains)) {
      return Optional.empty();
    }
    if (ctx.grpc() && m.queryParams() != null && !m.queryParams().isEmpty()) {
      return Optional.empty();
    }
    RouteMatch.Builder r = RouteMatch.newBuilder();
    StringMatch uri = m.uri();
    if (uri instanceof StringMatch.Exact e) {
      r.setPath(e.exact());
    } else if (uri instanceof StringMatch.Prefix p && !p.prefix().isEmpty()) {
      r.setPrefix(p.prefix());
    } else if (uri instanceof StringMatch.Regex x) {
      r.setSafeRegex(regex(x.regex()));
    } else {
      r.setPrefix("/");
    }
    if (Boolean.TRUE.equals(m.ignoreUriCase())) {
      r.setCaseSensitive(BoolValue.of(false));
    }
    pseudo(r, ":method", m.method());
    pseudo(r, ":authority", m.authority());
    pseudo(r, ":scheme", m.scheme());
    for (Map.Entry<String, StringMatch> h : sorted(m.headers()).entrySet()) {
      r.addHeaders(header(h.getKey(), h.getValue(), false));
    }
    for (Map.Entry<String, StringMatch> h : sorted(m.withoutHeaders()).entrySet()) {
      r.addHeaders(header(h.getKey(), h.getValue(), true));
    }
    for (Map.Entry<String, StringMatch> q : sorted(m.queryParams()).entrySet()) {
      QueryParameterMatcher.Builder qm = QueryParameterMatcher.newBuilder().setName(q.getKey());
      Optional<StringMatcher> sm = stringMatcher(q.getValue());
      if (sm.isPresent()) {
        qm.setStringMatch(sm.get());
      } else {
        qm.setPresentMatch(true);
      }
      r.addQueryParameters(qm);
    }
    return Optional.of(r.build());
  }

  private static void pseudo(RouteMatch.Builder r, String name, StringMatch match) {
    if (match != null && !(match instanceof StringMatch.Empty)) {
      r.addHeaders(header(name, match, false));
    }
  }

  private static HeaderMatcher header(String name, StringMatch match, boolean invert) {
    HeaderMatcher.Builder h =
        HeaderMatcher.newBuilder().setName(name.toLowerCase(Locale.ROOT)).setInvertMatch(invert);
    Optional<StringMatcher> sm = stringMatcher(match);
    if (sm.isPresent()) {
      h.setStringMatch(sm.get());
    } else {
      // {} (or an empty prefix) means "the header is present"; inverted, "absent".
      h.setPresentMatch(true);
    }
    return h.build();
  }

  /** The string matcher of a match, or empty for "present" ({@code {}} or an empty prefix). */
  static Optional<StringMatcher> stringMatcher(StringMatch match) {
    if (match instanceof StringMatch.Exact e) {
      return Optional.of(StringMatcher.newBuilder().setExact(e.exact()).build());
    }
    if (match instanceof StringMatch.Prefix p && !p.prefix().isEmpty()) {
      return Optional.of(StringMatcher.newBuilder().setPrefix(p.prefix()).build());
    }
    if (match instanceof StringMatch.Regex x) {
      return Optional.of(StringMatcher.newBuilder().setSafeRegex(regex(x.regex())).build());
    }
    return Optional.empty();
  }

  static RegexMatcher regex(String regex) {
    return RegexMatcher.newBuilder().setRegex(regex).build();
  }

  private static <V> Map<String, V> sorted(Map<String, V> m) {
    return m == null ? Map.of() : new TreeMap<>(m);
  }
}
