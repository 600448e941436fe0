package dev.meshctl.xds.model;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Endpoints of every service port, resolved from EndpointSlices (matched to the Service by the
 * {@code kubernetes.io/service-name} label and to the service port by port name) and enriched from
 * the backing Pod (labels, service account). Also indexes the reverse direction, endpoint address
 * to the service ports it serves, which gives a proxy its inbound ports. Immutable once built; safe
 * to read from any thread.
 */
public final class EndpointIndex {
  private static final Comparator<MeshEndpoint> ENDPOINT_ORDER =
      Comparator.comparing(MeshEndpoint::address).thenComparingInt(MeshEndpoint::port);

  private final Map<ServicePortKey, List<MeshEndpoint>> byServicePort;
  private final Map<String, List<ServiceTarget>> targetsByAddress;

  private EndpointIndex(
      Map<ServicePortKey, List<MeshEndpoint>> byServicePort,
      Map<String, List<ServiceTarget>> targetsByAddress) {
    this.byServicePort = Collections.unmodifiableMap(byServicePort);
    this.targetsByAddress = Collections.unmodifiableMap(targetsByAddress);
  }

  /**
   * Resolves every slice against the services and pods. Slices whose Service is unknown, and slice
   * ports no Service port names, contribute nothing.
   */
  public static EndpointIndex build(
      ServiceIndex services, PodIndex pods, Collection<EndpointSlice> slices) {
    return build(services, pods, slices, Map.of());
  }

  /**
   * As {@link #build(ServiceIndex, PodIndex, Collection)}, plus endpoints resolved elsewhere
   * (ServiceEntries, keyed by service port; keys whose service is not in {@code services}, a
   * ServiceEntry host shadowed by a Kubernetes Service, contribute nothing). A slice endpoint's
   * locality is its pod's {@value Locality#POD_LABEL} label when set, else its node's topology
   * labels (the slice's {@code nodeName}, else the pod's), when that node is known and has them;
   * otherwise the slice's {@code zone}, as Istio does.
   */
  public static EndpointIndex build(
      ServiceIndex services,
      PodIndex pods,
      Collection<EndpointSlice> slices,
      Map<ServicePortKey, List<MeshEndpoint>> extra) {
    Map<ServicePortKey, List<MeshEndpoint>> byPort = new TreeMap<>();
    Map<String, List<ServiceTarget>> byAddress = new TreeMap<>();
    List<EndpointSlice> ordered = new ArrayList<>(slices);
    ordered.sort(Comparator.comparing(EndpointSlice::id));
    for (EndpointSlice slice : ordered) {
      if (slice.serviceName().isEmpty()) {
        continue;
      }
      Service service =
          services
              .byId(NamespacedName.of(slice.id().namespace(), slice.serviceName()))
              .orElse(null);
      if (service == null) {
        continue;
      }
      for (ServicePort sp : service.ports()) {
        EndpointSlice.EndpointPort ep = matchingPort(slice, sp);
        if (ep == null) {
          continue;
        }
        ServicePortKey key = new ServicePortKey(service.id(), sp.port());
        for (EndpointSlice.Endpoint e : slice.endpoints()) {
          Pod pod = podOf(pods, slice, e);
          for (String address : e.addresses()) {
            MeshEndpoint me =
                new MeshEndpoint(
                    address,
                    ep.port(),
                    pod == null ? Map.of() : pod.labels(),
                    pod == null ? "" : pod.serviceAccount(),
                    locality(e, pod, pods),
                    pod == null ? null : pod.id(),
                    e.conditions().ready());
            byPort.computeIfAbsent(key, k -> new ArrayList<>()).add(me);
            byAddress
                .computeIfAbsent(address, k -> new ArrayList<>())
                .add(new ServiceTarget(service, sp, me));
          }
        }
      }
    }
    extra.forEach(
        (key, endpoints) -> {
          Service service = services.byId(key.service()).orElse(null);
          ServicePort sp = service == null ? null : portOf(service, key.port());
          if (sp == null) {
            return;
          }
          for (MeshEndpoint me : endpoints) {
            byPort.computeIfAbsent(key, k -> new ArrayList<>()).add(me);
            byAddress
                .computeIfAbsent(me.address(), k -> new ArrayList<>())
                .add(new ServiceTarget(service, sp, me));
          }
        });
    byPort.replaceAll(
        (k, v) -> {
          v.sort(ENDPOINT_ORDER);
          return List.copyOf(v);
        });
    byAddress.replaceAll(
        (k, v) -> {
          v.sort(ServiceTarget.ORDER);
          return List.copyOf(v);
        });
    return new EndpointIndex(byPort, byAddress);
  }

  private static ServicePort portOf(Service service, int port) {
    for (ServicePort sp : service.ports()) {
      if (sp.port() == port) {
        return sp;
      }
    }
    return null;
  }

  private static Locality locality(EndpointSlice.Endpoint e, Pod pod, PodIndex pods) {
    String label = pod == null ? null : pod.labels().get(Locality.POD_LABEL);
    if (label != null && !label.isEmpty()) {
      return Locality.fromLabel(label);
    }
    String node = !e.nodeName().isEmpty() ? e.nodeName() : pod == null ? "" : pod.nodeName();
    Locality fromNode = pods.nodeLocality(node);
    if (!fromNode.isUnknown()) {
      return fromNode;
    }
    return e.zone().isEmpty() ? Locality.UNKNOWN : new Locality("", e.zone(), "");
  }

  private static EndpointSlice.EndpointPort matchingPort(EndpointSlice slice, ServicePort sp) {
    for (EndpointSlice.EndpointPort ep : slice.ports()) {
      if (ep.name().equals(sp.name())) {
        return ep;
      }
    }
    return null;
  }

  private static Pod podOf(PodIndex pods, EndpointSlice slice, EndpointSlice.Endpoint e) {
    EndpointSlice.TargetRef ref = e.targetRef();
    if (ref != null && ref.kind().equals("Pod")) {
      String ns = ref.namespace().isEmpty() ? slice.id().namespace() : ref.namespace();
      return pods.byId(NamespacedName.of(ns, ref.name())).orElse(null);
    }
    return e.addresses().isEmpty() ? null : pods.byIp(e.addresses().get(0)).orElse(null);
  }

  /** All endpoints (ready or not) of one service port, ordered by address and port. */
  public List<MeshEndpoint> endpoints(NamespacedName service, int servicePort) {
    return byServicePort.getOrDefault(new ServicePortKey(service, servicePort), List.of());
  }

  /** The service ports an address serves: a proxy's inbound side. Ordered by host and port. */
  public List<ServiceTarget> targetsAt(String address) {
    return targetsByAddress.getOrDefault(address, List.of());
  }

  /** Every address with the service ports it serves. */
  public Map<String, List<ServiceTarget>> targetsByAddress() {
    return targetsByAddress;
  }

  /** Every indexed service port with its endpoints. */
  public Map<ServicePortKey, List<MeshEndpoint>> all() {
    return byServicePort;
  }

  /** A service and one of its ports, as an index key. */
  public record ServicePortKey(NamespacedName service, int port)
      implements Comparable<ServicePortKey> {
    @Override
    public int compareTo(ServicePortKey o) {
      int c = service.compareTo(o.service);
      return c != 0 ? c : Integer.compare(port, o.port);
    }
  }

  /** One service port served at an address, with the endpoint that serves it. */
  public record ServiceTarget(Service service, ServicePort port, MeshEndpoint endpoint) {
    static final Comparator<ServiceTarget> ORDER =
        Comparator.comparing((ServiceTarget t) -> t.service().id())
            .thenComparingInt(t -> t.port().port());
  }
}
