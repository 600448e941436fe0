package dev.meshctl.xds.model;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A Kubernetes Pod, reduced to what the mesh needs: identity (service account), labels for subset
 * and selector matching, addresses, and container ports for named target ports. Immutable.
 *
 * @param id namespace and name
 * @param labels pod labels
 * @param annotations pod annotations
 * @param serviceAccount {@code spec.serviceAccountName}, {@code "default"} when unset
 * @param podIps {@code status.podIPs} ({@code status.podIP} first); empty before scheduling
 * @param nodeName {@code spec.nodeName}, or {@code ""}
 * @param containerPorts every container's declared ports
 */
public record Pod(
    NamespacedName id,
    Map<String, String> labels,
    Map<String, String> annotations,
    String serviceAccount,
    List<String> podIps,
    String nodeName,
    List<ContainerPort> containerPorts)
    implements ConfigObject {

  public Pod {
    Objects.requireNonNull(id, "id");
    labels = Map.copyOf(labels);
    annotations = Map.copyOf(annotations);
    Objects.requireNonNull(serviceAccount, "serviceAccount");
    podIps = List.copyOf(podIps);
    Objects.requireNonNull(nodeName, "nodeName");
    containerPorts = List.copyOf(containerPorts);
  }

  @Override
  public ConfigKey key() {
    return new ConfigKey(ConfigKind.POD, id);
  }

  /** The primary pod IP, or {@code ""}. */
  public String ip() {
    return podIps.isEmpty() ? "" : podIps.get(0);
  }

  /** A port declared by one of the pod's containers. */
  public record ContainerPort(String name, int containerPort, String protocol) {
    public ContainerPort {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(protocol, "protocol");
    }
  }
}
