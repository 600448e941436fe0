package dev.meshctl.controlplane.analyze;

import dev.meshctl.xds.model.MeshConfig;

/**
 * Host-name rules the reference checks share, as Istio applies them. Stateless; any thread.
 *
 * <ul>
 *   <li>A name without a dot (other than {@code *}) is a short name of a Service in the referring
 *       resource's namespace: {@code reviews} in {@code default} is {@code
 *       reviews.default.svc.cluster.local}. A name with a dot is taken as written ({@code
 *       reviews.default} is not expanded, as Istio does not expand it either).
 *   <li>{@code *.example.com} matches every name ending in {@code .example.com}; {@code *} matches
 *       everything.
 * </ul>
 */
final class Hosts {
  /** The cluster DNS suffix of Service host names. */
  static final String DOMAIN_SUFFIX = MeshConfig.DEFAULT.domainSuffix();

  private Hosts() {}

  /** The fully qualified form of {@code host} as referenced from {@code namespace}. */
  static String fqdn(String host, String namespace) {
    if (host.equals("*") || host.contains(".")) {
      return host;
    }
    return serviceHost(host, namespace);
  }

  /** The host name of Service {@code namespace/name}. */
  static String serviceHost(String name, String namespace) {
    return name + "." + namespace + ".svc." + DOMAIN_SUFFIX;
  }

  /** Whether {@code host} contains a wildcard. */
  static boolean isWildcard(String host) {
    return host.startsWith("*");
  }

  /** Whether {@code pattern} (exact or wildcard) covers the concrete or wildcard name {@code h}. */
  static boolean matches(String pattern, String h) {
    if (pattern.equals(h) || pattern.equals("*")) {
      return true;
    }
    if (isWildcard(pattern)) {
      String suffix = pattern.substring(1); // ".example.com"
      return h.endsWith(suffix) && h.length() > suffix.length();
    }
    return false;
  }
}
