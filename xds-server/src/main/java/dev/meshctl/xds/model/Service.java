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
 */
public record Service(
    NamespacedName id,
    Map<String, String> labels,
    Map<String, String> selector,
    String clusterIp,
    List<ServicePort> ports)
    implements ConfigObject {

  public Service {
    Objects.requireNonNull(id, "id");
    labels = Map.copyOf(labels);
    selector = Map.copyOf(selector);
    Objects.requireNonNull(clusterIp, "clusterIp");
    ports = List.copyOf(ports);
  }

  @Override
  public ConfigKey key() {
    return new ConfigKey(ConfigKind.SERVICE, id);
  }

  public boolean headless() {
    return "None".equals(clusterIp);
  }

  /** The Service's VIP, or {@code ""} when it has none (headless or unset). */
  public String vip() {
    return headless() ? "" : clusterIp;
  }

  /** The mesh host name, e.g. {@code reviews.default.svc.cluster.local}. */
  public String hostname(String domainSuffix) {
    return id.name() + "." + id.namespace() + ".svc." + domainSuffix;
  }
}
