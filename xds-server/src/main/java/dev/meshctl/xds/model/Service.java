package dev.meshctl.xds.model;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A Kubernetes Service, reduced to what the mesh needs. Immutable.
 *
 * @param id namespace and name
 * @param labels the Service's labels
 * @param selector the pod selector; empty for a Service without selector
 * @param clusterIp the ClusterIP, {@code "None"} for a headless Service, or {@code ""} when unset
 * @param ports the ports in declaration order
 * @param attributes ServiceEntry attributes; {@link ServiceAttributes#KUBERNETES} for a Service
 */
public record Service(
    NamespacedName id,
    Map<String, String> labels,
    Map<String, String> selector,
    String clusterIp,
    List<ServicePort> ports,
    ServiceAttributes attributes)
    implements ConfigObject {

  /** A Kubernetes Service. */
  public Service(
      NamespacedName id,
      Map<String, String> labels,
      Map<String, String> selector,
      String clusterIp,
      List<ServicePort> ports) {
    this(id, labels, selector, clusterIp, ports, ServiceAttributes.KUBERNETES);
  }

  public Service {
    Objects.requireNonNull(id, "id");
    labels = Map.copyOf(labels);
    selector = Map.copyOf(selector);
    Objects.requireNonNull(clusterIp, "clusterIp");
    ports = List.copyOf(ports);
    Objects.requireNonNull(attributes, "attributes");
  }

  @Override
  public ConfigKey key() {
    return new ConfigKey(ConfigKind.SERVICE, id);
  }

  /** A Kubernetes Service with {@code clusterIP: None}. */
  public boolean headless() {
    return "None".equals(clusterIp);
  }

  /** How clients find the endpoints: the ServiceEntry's resolution, or from {@code clusterIP}. */
  public Resolution resolution() {
    if (attributes.resolution() != null) {
      return attributes.resolution();
    }
    return headless() ? Resolution.PASSTHROUGH : Resolution.CLIENT_SIDE_LB;
  }

  /** The Service's VIP, or {@code ""} when it has none (headless or unset). */
  public String vip() {
    return headless() ? "" : clusterIp;
  }

  /**
   * The mesh host name, e.g. {@code reviews.default.svc.cluster.local}, or a ServiceEntry's host as
   * written.
   */
  public String hostname(String domainSuffix) {
    if (!attributes.host().isEmpty()) {
      return attributes.host();
    }
    return id.name() + "." + id.namespace() + ".svc." + domainSuffix;
  }
}
