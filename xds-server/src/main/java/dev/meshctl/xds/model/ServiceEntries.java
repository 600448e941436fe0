package dev.meshctl.xds.model;

import dev.meshctl.crds.decode.IstioConfig;
import dev.meshctl.crds.networking.Common;
import dev.meshctl.crds.networking.ServiceEntry;
import dev.meshctl.crds.networking.WorkloadEntry;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Turns ServiceEntries into mesh services, as Istio's ServiceEntry registry does: one {@link
 * Service} per host (named by the host, in the entry's namespace), and endpoints from the entry's
 * {@code endpoints} or, with a {@code workloadSelector}, from the WorkloadEntries and Pods of its
 * namespace whose labels match. Entries are taken in (namespace, name) order; when two declare the
 * same host the first wins, so the output does not depend on input order. Pure; any thread.
 */
public final class ServiceEntries {
  private ServiceEntries() {}

  /**
   * The services and their endpoints.
   *
   * @param services one per distinct host, ordered by host
   * @param endpoints endpoints by service port, each list ordered by address and port
   */
  public record Converted(
      List<Service> services, Map<EndpointIndex.ServicePortKey, List<MeshEndpoint>> endpoints) {}

  /** Converts every ServiceEntry; WorkloadEntries and Pods are candidates for selectors. */
  public static Converted convert(
      Collection<IstioConfig> serviceEntries,
      Collection<IstioConfig> workloadEntries,
      Collection<Pod> pods) {
    List<IstioConfig> ordered = new ArrayList<>(serviceEntries);
    ordered.sort(Comparator.comparing(IstioConfig::namespace).thenComparing(IstioConfig::name));
    List<IstioConfig> workloads = new ArrayList<>(workloadEntries);
    workloads.sort(Comparator.comparing(IstioConfig::namespace).thenComparing(IstioConfig::name));
    Map<String, Service> byHost = new TreeMap<>();
    Map<EndpointIndex.ServicePortKey, List<MeshEndpoint>> endpoints = new TreeMap<>();
    for (IstioConfig config : ordered) {
      ServiceEntry se = config.spec(ServiceEntry.class);
      List<ServicePort> ports = ports(se);
      for (String rawHost : se.hosts()) {
        String host = rawHost.toLowerCase(Locale.ROOT);
        if (byHost.containsKey(host)) {
          continue;
        }
        Service service = service(config, se, host, ports);
        byHost.put(host, service);
        for (int i = 0; i < ports.size(); i++) {
          List<MeshEndpoint> eps =
              endpointsOf(config, se, host, se.ports().get(i), ports.get(i), workloads, pods);
          if (!eps.isEmpty()) {
            eps.sort(
                Comparator.comparing(MeshEndpoint::address).thenComparingInt(MeshEndpoint::port));
            endpoints.put(
                new EndpointIndex.ServicePortKey(service.id(), ports.get(i).port()),
                List.copyOf(eps));
          }
        }
      }
    }
    return new Converted(List.copyOf(byHost.values()), endpoints);
  }

  private static Service service(
      IstioConfig config, ServiceEntry se, String host, List<ServicePort> ports) {
    List<String> addresses = se.addresses() == null ? List.of() : se.addresses();
    String vip = "";
    for (String a : addresses) {
      if (a.indexOf('/') < 0) {
        vip = a;
        break;
      }
    }
    ServiceAttributes attributes =
        new ServiceAttributes(
            host,
            resolution(se.resolution()),
            // Istio's default location (the enum's zero value) is MESH_EXTERNAL.
            se.location() != ServiceEntry.Location.MESH_INTERNAL,
            addresses,
            se.exportTo() == null ? List.of() : se.exportTo(),
            se.subjectAltNames() == null ? List.of() : se.subjectAltNames(),
            NamespacedName.of(config.namespace(), config.name()),
            TrafficDistribution.of(null, config.annotations()));
    return new Service(
        NamespacedName.of(config.namespace(), host),
        config.labels(),
        Map.of(),
        vip,
        ports,
        attributes);
  }

  /**
   * STATIC (and absent, Istio's default NONE aside) map as in Istio's {@code convertResolution}.
   */
  static Resolution resolution(ServiceEntry.Resolution r) {
    if (r == null) {
      return Resolution.PASSTHROUGH; // NONE is the proto default
    }
    return switch (r) {
      case NONE -> Resolution.PASSTHROUGH;
      case STATIC -> Resolution.CLIENT_SIDE_LB;
      case DNS -> Resolution.DNS_LB;
      case DNS_ROUND_ROBIN -> Resolution.DNS_ROUND_ROBIN;
      // DYNAMIC_DNS needs Envoy's dynamic forward proxy, which we do not generate yet.
      case DYNAMIC_DNS -> Resolution.DNS_LB;
    };
  }

  /**
   * The entry's ports as service ports: the declared protocol becomes the port's app protocol, so
   * {@link Protocol#ofServicePort} reads it first, as Istio does.
   */
  private static List<ServicePort> ports(ServiceEntry se) {
    List<ServicePort> out = new ArrayList<>();
    for (Common.Port p : se.ports() == null ? List.<Common.Port>of() : se.ports()) {
      int number = p.number() == null ? 0 : p.number();
      int target = p.targetPort() == null || p.targetPort() == 0 ? number : p.targetPort();
      out.add(
          new ServicePort(
              p.name() == null ? "" : p.name(),
              number,
              target,
              "",
              "TCP",
              p.protocol() == null ? "" : p.protocol()));
    }
    return out;
  }

  private static List<MeshEndpoint> endpointsOf(
      IstioConfig config,
      ServiceEntry se,
      String host,
      Common.Port declared,
      ServicePort port,
      List<IstioConfig> workloads,
      Collection<Pod> pods) {
    List<MeshEndpoint> out = new ArrayList<>();
    if (se.workloadSelector() != null) {
      Map<String, String> selector =
          se.workloadSelector().labels() == null ? Map.of() : se.workloadSelector().labels();
      for (IstioConfig we : workloads) {
        WorkloadEntry w = we.spec(WorkloadEntry.class);
        Map<String, String> labels = merged(we.labels(), w.labels());
        if (we.namespace().equals(config.namespace())
            && labels.entrySet().containsAll(selector.entrySet())
            && w.address() != null
            && !w.address().isEmpty()) {
          out.add(endpoint(w, labels, port, declared));
        }
      }
      Set<String> seen = new TreeSet<>();
      for (Pod pod : pods) {
        if (pod.id().namespace().equals(config.namespace())
            && !pod.ip().isEmpty()
            && pod.labels().entrySet().containsAll(selector.entrySet())
            && seen.add(pod.ip())) {
          out.add(
              new MeshEndpoint(
                  pod.ip(),
                  port.targetPort(),
                  pod.labels(),
                  pod.serviceAccount(),
                  Locality.UNKNOWN,
                  pod.id(),
                  true));
        }
      }
      return out;
    }
    if (se.endpoints() != null && !se.endpoints().isEmpty()) {
      for (WorkloadEntry w : se.endpoints()) {
        if (w.address() != null && !w.address().isEmpty()) {
          out.add(endpoint(w, w.labels() == null ? Map.of() : w.labels(), port, declared));
        }
      }
      return out;
    }
    // A DNS entry without endpoints resolves its own host name (not a wildcard one).
    Resolution r = resolution(se.resolution());
    if ((r == Resolution.DNS_LB || r == Resolution.DNS_ROUND_ROBIN) && !host.startsWith("*")) {
      out.add(
          new MeshEndpoint(host, port.targetPort(), Map.of(), "", Locality.UNKNOWN, null, true));
    }
    return out;
  }

  private static MeshEndpoint endpoint(
      WorkloadEntry w, Map<String, String> labels, ServicePort port, Common.Port declared) {
    int number = port.targetPort();
    if (w.ports() != null && declared.name() != null && w.ports().containsKey(declared.name())) {
      number = w.ports().get(declared.name());
    }
    int weight = w.weight() == null || w.weight() == 0 ? 1 : w.weight();
    return new MeshEndpoint(
        w.address(),
        number,
        labels,
        w.serviceAccount() == null ? "" : w.serviceAccount(),
        locality(w.locality()),
        null,
        true,
        weight);
  }

  /** A WorkloadEntry's spec labels win over its metadata labels (Istio merges them this way). */
  private static Map<String, String> merged(Map<String, String> meta, Map<String, String> spec) {
    Map<String, String> out = new TreeMap<>(meta);
    if (spec != null) {
      out.putAll(spec);
    }
    return out;
  }

  /** Istio's {@code region/zone/subzone}; missing parts are empty. */
  static Locality locality(String s) {
    return Locality.parse(s);
  }
}
