package dev.meshctl.controlplane.analyze;

import dev.meshctl.crds.IstioKind;
import dev.meshctl.crds.decode.IstioConfig;
import dev.meshctl.xds.model.Service;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The objects of one analysis run that reference checks look at, each with where it was declared,
 * in input order. Only the first declaration of a {@code Kind ns/name} is kept, as the control
 * plane keeps it. Not thread-safe: filled and read by the one thread running the analysis.
 */
final class Catalog {

  /** An object and the file and document that declared it. */
  record Located<T>(String file, int document, T object) {}

  private final List<Located<Service>> services = new ArrayList<>();
  private final Map<IstioKind, List<Located<IstioConfig>>> istio = new EnumMap<>(IstioKind.class);

  /**
   * Host names of every Service document, including those that failed to decode: a Service with a
   * bad port is still a Service, and reporting its host as unknown too would only add noise.
   */
  private final Set<String> serviceHosts = new LinkedHashSet<>();

  void addService(Located<Service> service) {
    services.add(service);
  }

  void addIstio(Located<IstioConfig> config) {
    istio.computeIfAbsent(config.object().kind(), k -> new ArrayList<>()).add(config);
  }

  void addServiceHost(String fqdn) {
    serviceHosts.add(fqdn);
  }

  List<Located<Service>> services() {
    return Collections.unmodifiableList(services);
  }

  List<Located<IstioConfig>> of(IstioKind kind) {
    return Collections.unmodifiableList(istio.getOrDefault(kind, List.of()));
  }

  Set<String> serviceHosts() {
    return Collections.unmodifiableSet(serviceHosts);
  }
}
