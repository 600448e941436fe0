package dev.meshctl.xds.model;

import java.util.List;
import java.util.Objects;

/**
 * What a ServiceEntry says about a service beyond a Kubernetes Service's fields. Kubernetes
 * Services carry {@link #KUBERNETES}. Immutable.
 *
 * @param host the explicit host name ({@code ""}: derived from the Service's name and namespace)
 * @param resolution the ServiceEntry's resolution, or {@code null} for a Kubernetes Service (then
 *     derived from {@code clusterIP})
 * @param meshExternal {@code location: MESH_EXTERNAL}: no auto-mTLS, no sidecar at the other end
 * @param addresses the ServiceEntry's {@code addresses} (IPs or CIDRs), in declaration order
 * @param exportTo where the service is visible; empty means everywhere
 * @param subjectAltNames identities accepted from the service's endpoints
 * @param source the ServiceEntry this service came from, or {@code null}
 * @param trafficDistribution the service's preference for nearby endpoints
 */
public record ServiceAttributes(
    String host,
    Resolution resolution,
    boolean meshExternal,
    List<String> addresses,
    List<String> exportTo,
    List<String> subjectAltNames,
    NamespacedName source,
    TrafficDistribution trafficDistribution) {

  /** A plain Kubernetes Service. */
  public static final ServiceAttributes KUBERNETES =
      new ServiceAttributes("", null, false, List.of(), List.of(), List.of(), null);

  public ServiceAttributes {
    Objects.requireNonNull(host, "host");
    addresses = List.copyOf(addresses);
    exportTo = List.copyOf(exportTo);
    subjectAltNames = List.copyOf(subjectAltNames);
    java.util.Objects.requireNonNull(trafficDistribution, "trafficDistribution");
  }

  /** Attributes without a traffic distribution preference. */
  public ServiceAttributes(
      String host,
      Resolution resolution,
      boolean meshExternal,
      List<String> addresses,
      List<String> exportTo,
      List<String> subjectAltNames,
      NamespacedName source) {
    this(
        host,
        resolution,
        meshExternal,
        addresses,
        exportTo,
        subjectAltNames,
        source,
        TrafficDistribution.ANY);
  }

  /** True when the service was declared by a ServiceEntry. */
  public boolean fromServiceEntry() {
    return source != null;
  }
}
