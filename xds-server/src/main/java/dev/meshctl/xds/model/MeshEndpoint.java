package dev.meshctl.xds.model;

import java.util.Map;
import java.util.Objects;

/**
 * One endpoint of one service port, resolved from EndpointSlices and Pods: what EDS and the subset
 * filter need. Immutable.
 *
 * @param address the IP (or FQDN for FQDN slices)
 * @param port the endpoint's port number
 * @param labels the backing pod's labels (empty when there is no pod)
 * @param serviceAccount the backing pod's service account, or {@code ""}
 * @param locality the endpoint's locality (its node's topology labels, else the slice's zone)
 * @param podName the backing pod, or {@code null}
 * @param ready the slice's {@code ready} condition
 * @param weight the endpoint's load-balancing weight (a ServiceEntry endpoint's {@code weight}), at
 *     least 1
 */
public record MeshEndpoint(
    String address,
    int port,
    Map<String, String> labels,
    String serviceAccount,
    Locality locality,
    NamespacedName podName,
    boolean ready,
    int weight) {

  /** An endpoint of weight 1. */
  public MeshEndpoint(
      String address,
      int port,
      Map<String, String> labels,
      String serviceAccount,
      Locality locality,
      NamespacedName podName,
      boolean ready) {
    this(address, port, labels, serviceAccount, locality, podName, ready, 1);
  }

  public MeshEndpoint {
    Objects.requireNonNull(address, "address");
    labels = Map.copyOf(labels);
    Objects.requireNonNull(serviceAccount, "serviceAccount");
    Objects.requireNonNull(locality, "locality");
    if (weight < 1) {
      throw new IllegalArgumentException("weight must be at least 1: " + weight);
    }
  }
}
