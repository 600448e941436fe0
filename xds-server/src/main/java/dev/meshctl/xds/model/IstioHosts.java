package dev.meshctl.xds.model;

import java.util.List;
import java.util.Locale;

/**
 * Host names and visibility as Istio's networking config uses them: short names resolved in the
 * config's namespace, wildcard matching, and {@code exportTo}. Stateless; any thread.
 */
public final class IstioHosts {
  private IstioHosts() {}

  /**
   * Istio's short-name rule: a host without a dot is a service in {@code namespace} ({@code
   * reviews} in {@code default} is {@code reviews.default.svc.cluster.local}); anything else (an
   * FQDN, {@code *}, {@code *.example.com}) is taken as written. Lower-cased.
   */
  public static String resolve(String host, String namespace, String domainSuffix) {
    String h = host.toLowerCase(Locale.ROOT);
    if (h.equals("*") || h.contains(".")) {
      return h;
    }
    return h + "." + namespace + ".svc." + domainSuffix;
  }

  /**
   * Whether config host {@code pattern} ({@code *}, {@code *.suffix} or exact) covers service host
   * {@code host}.
   */
  public static boolean matches(String pattern, String host) {
    if (pattern.equals("*")) {
      return true;
    }
    if (pattern.startsWith("*.")) {
      return host.endsWith(pattern.substring(1));
    }
    return pattern.equals(host);
  }

  /** True for {@code *} and {@code *.suffix}. */
  public static boolean isWildcard(String pattern) {
    return pattern.startsWith("*");
  }

  /**
   * Whether config in {@code configNamespace} with this {@code exportTo} is visible from {@code
   * proxyNamespace}: empty (the default) and {@code *} export everywhere, {@code .} only to the
   * config's own namespace, a name to that namespace, {@code ~} nowhere.
   */
  public static boolean visible(
      List<String> exportTo, String configNamespace, String proxyNamespace) {
    if (exportTo == null || exportTo.isEmpty()) {
      return true;
    }
    for (String e : exportTo) {
      if (e.equals("*")
          || (e.equals(".") && configNamespace.equals(proxyNamespace))
          || e.equals(proxyNamespace)) {
        return true;
      }
    }
    return false;
  }
}
