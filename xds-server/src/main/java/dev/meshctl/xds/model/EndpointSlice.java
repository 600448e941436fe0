package dev.meshctl.xds.model;

import java.util.List;
import java.util.Objects;

/**
 * A Kubernetes {@code discovery.k8s.io/v1} EndpointSlice. Immutable.
 *
 * @param id namespace and name of the slice
 * @param serviceName the owning Service (label {@code kubernetes.io/service-name}); {@code ""} when
 *     the slice belongs to no Service
 * @param addressType {@code IPv4}, {@code IPv6} or {@code FQDN}
 * @param ports the ports every endpoint of this slice serves
 * @param endpoints the endpoints
 */
public record EndpointSlice(
    NamespacedName id,
    String serviceName,
    String addressType,
    List<EndpointPort> ports,
    List<Endpoint> endpoints)
    implements ConfigObject {

  public EndpointSlice {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(serviceName, "serviceName");
    Objects.requireNonNull(addressType, "addressType");
    ports = List.copyOf(ports);
    endpoints = List.copyOf(endpoints);
  }

  @Override
  public ConfigKey key() {
    return new ConfigKey(ConfigKind.ENDPOINT_SLICE, id);
  }

  /**
   * One port of a slice. {@code name} matches the Service port's name ({@code ""} for an unnamed
   * single port).
   */
  public record EndpointPort(String name, int port, String protocol, String appProtocol) {
    public EndpointPort {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(protocol, "protocol");
      Objects.requireNonNull(appProtocol, "appProtocol");
    }
  }

  /**
   * One endpoint of a slice.
   *
   * @param addresses the endpoint's addresses (Kubernetes guarantees at least one)
   * @param conditions ready / serving / terminating
   * @param zone the {@code zone} field, or {@code ""}
   * @param nodeName the {@code nodeName} field, or {@code ""}
   * @param hostname the {@code hostname} field, or {@code ""}
   * @param targetRef the object behind the endpoint (usually a Pod), or {@code null}
   */
  public record Endpoint(
      List<String> addresses,
      Conditions conditions,
      String zone,
      String nodeName,
      String hostname,
      TargetRef targetRef) {
    public Endpoint {
      addresses = List.copyOf(addresses);
      Objects.requireNonNull(conditions, "conditions");
      Objects.requireNonNull(zone, "zone");
      Objects.requireNonNull(nodeName, "nodeName");
      Objects.requireNonNull(hostname, "hostname");
    }
  }

  /**
   * EndpointSlice conditions. Kubernetes says an unset {@code ready} means ready, unset {@code
   * serving} means the same as ready, and unset {@code terminating} means not terminating; the
   * constructor receives those already resolved.
   */
  public record Conditions(boolean ready, boolean serving, boolean terminating) {
    public static final Conditions READY = new Conditions(true, true, false);
  }

  /** The {@code targetRef} of an endpoint: kind, namespace and name. */
  public record TargetRef(String kind, String namespace, String name) {
    public TargetRef {
      Objects.requireNonNull(kind, "kind");
      Objects.requireNonNull(namespace, "namespace");
      Objects.requireNonNull(name, "name");
    }
  }
}
