package dev.meshctl.crds.validation;

import static dev.meshctl.crds.validation.Rules.q;

import dev.meshctl.crds.networking.EnvoyFilter;
import dev.meshctl.crds.networking.EnvoyFilter.ApplyTo;
import dev.meshctl.crds.networking.EnvoyFilter.EnvoyConfigObjectMatch;
import dev.meshctl.crds.networking.EnvoyFilter.EnvoyConfigObjectPatch;
import dev.meshctl.crds.networking.EnvoyFilter.FilterMatch;
import dev.meshctl.crds.networking.EnvoyFilter.Operation;
import java.util.Map;
import java.util.regex.PatternSyntaxException;

/**
 * Istio's rules for an EnvoyFilter ({@code pkg/config/validation/envoyfilter}): every patch has an
 * {@code applyTo}, an operation and (unless it removes) a value; the match kind fits the object
 * kind (listener matches for listener-class objects, route-configuration matches for routes,
 * cluster matches for clusters, at most one of them); filter and sub-filter matches name what they
 * match; the proxy version is a regex. Warnings: EnvoyFilters expose internals (always), filter
 * matches without effect, deprecated filter names. Whether a value reads as the Envoy type its
 * {@code applyTo} implies is checked where Envoy's types are known (the patcher). Stateless.
 */
final class EnvoyFilterRules {
  private EnvoyFilterRules() {}

  private static final String HCM = "envoy.filters.network.http_connection_manager";

  /** Istio's deprecated filter names and their replacements (wellknown names it warns about). */
  private static final Map<String, String> DEPRECATED =
      Map.ofEntries(
          Map.entry("envoy.lua", "envoy.filters.http.lua"),
          Map.entry("envoy.router", "envoy.filters.http.router"),
          Map.entry("envoy.cors", "envoy.filters.http.cors"),
          Map.entry("envoy.fault", "envoy.filters.http.fault"),
          Map.entry("envoy.http_connection_manager", HCM),
          Map.entry("envoy.tcp_proxy", "envoy.filters.network.tcp_proxy"),
          Map.entry("envoy.ext_authz", "envoy.filters.http.ext_authz"),
          Map.entry("envoy.rate_limit", "envoy.filters.http.ratelimit"),
          Map.entry("envoy.grpc_web", "envoy.filters.http.grpc_web"),
          Map.entry("envoy.gzip", "envoy.filters.http.gzip"));

  static void validate(Findings f, EnvoyFilter ef) {
    f.warn(
        "spec",
        "EnvoyFilter exposes internal implementation details that may change at any time; prefer"
            + " other APIs if possible, and take extreme care around upgrades");
    if (ef.workloadSelector() != null
        && (ef.workloadSelector().labels() == null || ef.workloadSelector().labels().isEmpty())) {
      f.warn(
          "spec.workloadSelector",
          "no labels: the filter applies to every workload in the namespace");
    }
    if (ef.workloadSelector() != null && !ef.targetRefs().isEmpty()) {
      f.error("spec", "workloadSelector and targetRefs must not both be set");
    }
    for (int i = 0; i < ef.configPatches().size(); i++) {
      patch(f, "spec.configPatches[" + i + "]", ef.configPatches().get(i));
    }
  }

  private static void patch(Findings f, String p, EnvoyConfigObjectPatch cp) {
    if (cp.match() != null && cp.match().context() == EnvoyFilter.PatchContext.WAYPOINT) {
      return; // waypoints are ambient's; Istio does not validate these either
    }
    if (cp.applyTo() == null || cp.applyTo() == ApplyTo.INVALID) {
      f.error(p + ".applyTo", "required");
      return;
    }
    if (cp.patch() == null) {
      f.error(p + ".patch", "required");
      return;
    }
    Operation op = cp.patch().operation();
    if (op == null || op == Operation.INVALID) {
      f.error(p + ".patch.operation", "required");
      return;
    }
    if (op != Operation.REMOVE && (cp.patch().value() == null || cp.patch().value().isNull())) {
      f.error(p + ".patch.value", "required unless the operation is REMOVE");
      return;
    }
    if ((cp.applyTo() == ApplyTo.CLUSTER || cp.applyTo() == ApplyTo.LISTENER)
        && (op == Operation.REPLACE
            || op == Operation.INSERT_BEFORE
            || op == Operation.INSERT_AFTER
            || op == Operation.INSERT_FIRST)) {
      f.warn(p + ".patch.operation", op + " has no effect with applyTo " + cp.applyTo());
    }
    EnvoyConfigObjectMatch m = cp.match();
    if (m == null) {
      return;
    }
    // The decoder already refuses two object kinds (a oneof).
    int kinds = m.objectTypes() == null ? 0 : 1;
    if (m.proxy() != null && m.proxy().proxyVersion() != null) {
      try {
        java.util.regex.Pattern.compile(m.proxy().proxyVersion());
      } catch (PatternSyntaxException e) {
        f.error(
            p + ".match.proxy.proxyVersion",
            "invalid regex " + q(m.proxy().proxyVersion()) + ": " + e.getDescription());
      }
    }
    switch (cp.applyTo()) {
      case LISTENER, FILTER_CHAIN, NETWORK_FILTER, HTTP_FILTER -> listenerClass(f, p, cp, kinds);
      case ROUTE_CONFIGURATION, VIRTUAL_HOST, HTTP_ROUTE -> {
        if (kinds == 1 && m.routeConfiguration() == null) {
          f.error(
              p + ".match",
              "applyTo " + cp.applyTo() + " needs a routeConfiguration match, not another kind");
        }
      }
      case CLUSTER -> {
        if (kinds == 1 && m.cluster() == null) {
          f.error(p + ".match", "applyTo CLUSTER needs a cluster match, not another kind");
        }
      }
      default -> {}
    }
  }

  private static void listenerClass(Findings f, String p, EnvoyConfigObjectPatch cp, int kinds) {
    EnvoyConfigObjectMatch m = cp.match();
    if (kinds == 1 && m.listener() == null) {
      f.error(
          p + ".match", "applyTo " + cp.applyTo() + " needs a listener match, not another kind");
      return;
    }
    if (m.listener() == null
        || m.listener().filterChain() == null
        || m.listener().filterChain().filter() == null) {
      return;
    }
    String fp = p + ".match.listener.filterChain.filter";
    FilterMatch filter = m.listener().filterChain().filter();
    if (cp.applyTo() == ApplyTo.LISTENER || cp.applyTo() == ApplyTo.FILTER_CHAIN) {
      f.warn(fp, "has no effect with applyTo " + cp.applyTo());
    }
    if (filter.name() == null || filter.name().isEmpty()) {
      f.error(fp + ".name", "required: a filter match names the filter it matches");
      return;
    }
    deprecated(f, fp + ".name", filter.name());
    if (filter.subFilter() != null) {
      if (cp.applyTo() != ApplyTo.HTTP_FILTER) {
        f.error(fp + ".subFilter", "only with applyTo HTTP_FILTER");
        return;
      }
      if (!filter.name().equals(HCM) && !filter.name().equals("envoy.http_connection_manager")) {
        f.error(fp + ".subFilter", "needs the filter match to name " + q(HCM));
        return;
      }
      if (filter.subFilter().name() == null || filter.subFilter().name().isEmpty()) {
        f.error(fp + ".subFilter.name", "required");
        return;
      }
      deprecated(f, fp + ".subFilter.name", filter.subFilter().name());
    }
  }

  private static void deprecated(Findings f, String p, String name) {
    String replacement = DEPRECATED.get(name);
    if (replacement != null) {
      f.warn(p, "deprecated filter name " + q(name) + "; use " + q(replacement));
    }
  }
}
