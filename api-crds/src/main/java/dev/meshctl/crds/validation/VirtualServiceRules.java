package dev.meshctl.crds.validation;

import static dev.meshctl.crds.validation.Rules.q;

import dev.meshctl.crds.networking.Common.Destination;
import dev.meshctl.crds.networking.StringMatch;
import dev.meshctl.crds.networking.VirtualService;
import dev.meshctl.crds.networking.VirtualService.HttpMatchRequest;
import dev.meshctl.crds.networking.VirtualService.HttpRoute;
import dev.meshctl.crds.networking.VirtualService.HttpRouteDestination;
import dev.meshctl.crds.networking.VirtualService.RouteDestination;
import java.util.List;
import java.util.Set;

/** Istio's semantic rules for VirtualService. Stateless. */
final class VirtualServiceRules {
  static final Set<String> RETRY_ON =
      Set.of(
          "5xx",
          "gateway-error",
          "reset",
          "reset-before-request",
          "connect-failure",
          "retriable-4xx",
          "refused-stream",
          "retriable-status-codes",
          "retriable-headers",
          "envoy-ratelimited",
          "http3-post-connect-failure",
          "cancelled",
          "deadline-exceeded",
          "internal",
          "resource-exhausted",
          "unavailable");

  private VirtualServiceRules() {}

  static void validate(Findings f, VirtualService vs) {
    boolean delegate = vs.hosts().isEmpty();
    if (delegate && !vs.gateways().isEmpty()) {
      f.error("spec.gateways", "a delegate VirtualService (no hosts) must not set gateways");
    }
    boolean mesh = vs.gateways().isEmpty() || vs.gateways().contains("mesh");
    for (int i = 0; i < vs.hosts().size(); i++) {
      String h = vs.hosts().get(i);
      String why = Rules.wildcardDomain(h);
      if (why != null && !Rules.isIp(h)) {
        f.error("spec.hosts[" + i + "]", why);
      } else if (mesh && h.equals("*")) {
        f.error(
            "spec.hosts[" + i + "]",
            "wildcard host \"*\" is not allowed for VirtualServices bound to the mesh");
      }
      for (int j = 0; j < i; j++) {
        if (vs.hosts().get(j).equals(h)) {
          f.error("spec.hosts[" + i + "]", "duplicate host " + q(h));
        }
      }
    }
    gateways(f, "spec.gateways", vs.gateways());
    if (vs.http().isEmpty() && vs.tcp().isEmpty() && vs.tls().isEmpty()) {
      f.error("spec", "one of http, tcp or tls must be provided");
    }
    for (int i = 0; i < vs.http().size(); i++) {
      http(f, "spec.http[" + i + "]", vs.http().get(i), delegate);
    }
    for (int i = 0; i < vs.tcp().size(); i++) {
      String p = "spec.tcp[" + i + "]";
      var r = vs.tcp().get(i);
      for (int m = 0; m < r.match().size(); m++) {
        Rules.port(f, p + ".match[" + m + "].port", r.match().get(m).port());
        Rules.labels(f, p + ".match[" + m + "].sourceLabels", r.match().get(m).sourceLabels());
      }
      routeDestinations(f, p, r.route());
    }
    for (int i = 0; i < vs.tls().size(); i++) {
      String p = "spec.tls[" + i + "]";
      var r = vs.tls().get(i);
      if (r.match().isEmpty()) {
        f.error(p + ".match", "TLS route must have at least one match");
      }
      for (int m = 0; m < r.match().size(); m++) {
        var tm = r.match().get(m);
        if (tm.sniHosts().isEmpty()) {
          f.error(p + ".match[" + m + "].sniHosts", "TLS match must have at least one SNI host");
        }
        for (int s = 0; s < tm.sniHosts().size(); s++) {
          String why = Rules.wildcardDomain(tm.sniHosts().get(s));
          if (why != null) {
            f.error(p + ".match[" + m + "].sniHosts[" + s + "]", why);
          }
        }
        Rules.port(f, p + ".match[" + m + "].port", tm.port());
      }
      routeDestinations(f, p, r.route());
    }
    Common.exportTo(f, vs.exportTo(), false);
  }

  private static void gateways(Findings f, String path, List<String> gateways) {
    for (int i = 0; i < gateways.size(); i++) {
      String g = gateways.get(i);
      String name = g.contains("/") ? g.substring(g.indexOf('/') + 1) : g;
      String ns = g.contains("/") ? g.substring(0, g.indexOf('/')) : null;
      if ((ns != null && !Rules.isLowerDnsLabel(ns)) || Rules.fqdn(name) != null) {
        f.error(path + "[" + i + "]", "invalid gateway name " + q(g));
      }
    }
  }

  private static void http(Findings f, String p, HttpRoute r, boolean delegate) {
    if (r.redirect() != null) {
      if (!r.route().isEmpty()) {
        f.error(p, "redirect and route must not both be set");
      }
      if (r.fault() != null) {
        f.error(p, "redirect and fault must not both be set");
      }
      if (r.rewrite() != null) {
        f.error(p, "redirect and rewrite must not both be set");
      }
      if (r.directResponse() != null) {
        f.error(p, "redirect and directResponse must not both be set");
      }
    } else if (r.directResponse() != null) {
      if (!r.route().isEmpty()) {
        f.error(p, "directResponse and route must not both be set");
      }
      if (r.fault() != null) {
        f.error(p, "directResponse and fault must not both be set");
      }
      if (r.rewrite() != null) {
        f.error(p, "directResponse and rewrite must not both be set");
      }
    } else if (r.route().isEmpty() && r.delegate() == null) {
      f.error(p, "one of route, redirect, directResponse or delegate is required");
    }
    if (r.delegate() != null) {
      if (delegate) {
        f.error(p + ".delegate", "a delegate VirtualService must not delegate again");
      }
      if (!r.route().isEmpty()) {
        f.error(p, "delegate and route must not both be set");
      }
    }
    if (r.mirror() != null && !r.mirrors().isEmpty()) {
      f.error(p, "mirror and mirrors must not both be set");
    }
    for (int i = 0; i < r.match().size(); i++) {
      match(f, p + ".match[" + i + "]", r.match().get(i));
    }
    httpDestinations(f, p, r.route());
    if (r.mirrorPercent() != null) {
      if (r.mirrorPercent() > 100) {
        f.error(p + ".mirrorPercent", "must be in 0..100, got " + r.mirrorPercent());
      }
      f.warn(p + ".mirrorPercent", "deprecated, use mirrorPercentage");
    }
    Rules.percent(f, p + ".mirrorPercentage", r.mirrorPercentage());
    destination(f, p + ".mirror", r.mirror());
    for (int i = 0; i < r.mirrors().size(); i++) {
      var m = r.mirrors().get(i);
      if (m.destination() == null) {
        f.error(p + ".mirrors[" + i + "].destination", "required");
      }
      destination(f, p + ".mirrors[" + i + "].destination", m.destination());
      Rules.percent(f, p + ".mirrors[" + i + "].percentage", m.percentage());
    }
    Rules.duration(f, p + ".timeout", r.timeout());
    HttpRouteRules.redirect(f, p + ".redirect", r.redirect());
    HttpRouteRules.directResponse(f, p + ".directResponse", r.directResponse());
    HttpRouteRules.rewrite(f, p + ".rewrite", r.rewrite());
    HttpRouteRules.retries(f, p + ".retries", r.retries(), RETRY_ON);
    HttpRouteRules.fault(f, p + ".fault", r.fault());
    HttpRouteRules.cors(f, p + ".corsPolicy", r.corsPolicy());
    HttpRouteRules.headers(f, p + ".headers", r.headers());
  }

  private static void match(Findings f, String p, HttpMatchRequest m) {
    Rules.stringMatch(f, p + ".uri", m.uri());
    Rules.stringMatch(f, p + ".scheme", m.scheme());
    Rules.stringMatch(f, p + ".method", m.method());
    Rules.stringMatch(f, p + ".authority", m.authority());
    m.headers().forEach((k, v) -> headerMatch(f, p + ".headers", k, v));
    m.withoutHeaders().forEach((k, v) -> headerMatch(f, p + ".withoutHeaders", k, v));
    m.queryParams()
        .forEach(
            (k, v) ->
                Rules.stringMatch(
                    f, dev.meshctl.crds.decode.Paths.child(p + ".queryParams", k), v));
    Rules.port(f, p + ".port", m.port());
    Rules.labels(f, p + ".sourceLabels", m.sourceLabels());
    gateways(f, p + ".gateways", m.gateways());
    if (m.sourceNamespace() != null && !Rules.isLowerDnsLabel(m.sourceNamespace())) {
      f.error(p + ".sourceNamespace", "invalid namespace " + q(m.sourceNamespace()));
    }
  }

  private static void headerMatch(Findings f, String p, String name, StringMatch m) {
    String path = dev.meshctl.crds.decode.Paths.child(p, name);
    if (name.isEmpty() || !name.matches("[-!#$%&'*+.^_`|~0-9A-Za-z:@\\[\\]]+")) {
      f.error(path, "invalid header name " + q(name));
    }
    Rules.stringMatch(f, path, m);
  }

  private static void httpDestinations(Findings f, String p, List<HttpRouteDestination> route) {
    int total = 0;
    for (int i = 0; i < route.size(); i++) {
      String rp = p + ".route[" + i + "]";
      HttpRouteDestination d = route.get(i);
      if (d.destination() == null) {
        f.error(rp + ".destination", "required");
      }
      destination(f, rp + ".destination", d.destination());
      if (d.weight() != null && d.weight() < 0) {
        f.error(rp + ".weight", "must be >= 0, got " + d.weight());
      }
      total += d.weight() == null ? 0 : d.weight();
      HttpRouteRules.headers(f, rp + ".headers", d.headers());
    }
    if (route.size() > 1 && total == 0) {
      f.error(p + ".route", "total weight of " + route.size() + " destinations must not be 0");
    }
  }

  private static void routeDestinations(Findings f, String p, List<RouteDestination> route) {
    int total = 0;
    for (int i = 0; i < route.size(); i++) {
      String rp = p + ".route[" + i + "]";
      RouteDestination d = route.get(i);
      if (d.destination() == null) {
        f.error(rp + ".destination", "required");
      }
      destination(f, rp + ".destination", d.destination());
      if (d.weight() != null && d.weight() < 0) {
        f.error(rp + ".weight", "must be >= 0, got " + d.weight());
      }
      total += d.weight() == null ? 0 : d.weight();
    }
    if (route.size() > 1 && total == 0) {
      f.error(p + ".route", "total weight of " + route.size() + " destinations must not be 0");
    }
  }

  static void destination(Findings f, String p, Destination d) {
    if (d == null) {
      return;
    }
    if (d.host() == null) {
      f.error(p + ".host", "required");
    } else {
      String why = Rules.wildcardDomain(d.host());
      if (why != null) {
        f.error(p + ".host", why);
      }
    }
    if (d.subset() != null && !Rules.isLowerDnsLabel(d.subset())) {
      f.error(p + ".subset", "invalid subset name " + q(d.subset()) + " (must be a DNS label)");
    }
    if (d.port() != null) {
      Rules.port(f, p + ".port.number", d.port().number());
    }
  }
}
