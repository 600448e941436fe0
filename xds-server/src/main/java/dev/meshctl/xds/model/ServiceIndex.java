package dev.meshctl.xds.model;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Services by host name and by namespace. Immutable once built; safe to read from any thread.
 * Iteration order is by host name, so translations that walk it are deterministic.
 */
public final class ServiceIndex {
  private final String domainSuffix;
  private final Map<String, Service> byHost;
  private final Map<NamespacedName, Service> byId;

  private ServiceIndex(String domainSuffix, Map<String, Service> byHost) {
    this.domainSuffix = domainSuffix;
    this.byHost = Collections.unmodifiableMap(byHost);
    Map<NamespacedName, Service> ids = new TreeMap<>();
    byHost.values().forEach(s -> ids.put(s.id(), s));
    this.byId = Collections.unmodifiableMap(ids);
  }

  /** Indexes the given services under {@code name.namespace.svc.<domainSuffix>}. */
  public static ServiceIndex build(String domainSuffix, Collection<Service> services) {
    Map<String, Service> byHost = new TreeMap<>();
    for (Service s : services) {
      byHost.put(s.hostname(domainSuffix), s);
    }
    return new ServiceIndex(domainSuffix, byHost);
  }

  public String domainSuffix() {
    return domainSuffix;
  }

  /** All services, ordered by host name. */
  public Collection<Service> all() {
    return byHost.values();
  }

  /** Host name to service, ordered by host name. */
  public Map<String, Service> byHost() {
    return byHost;
  }

  /**
   * The host names whose service differs between this index and {@code other} (added, removed or
   * changed), sorted: what a change of Services, ServiceEntries or WorkloadEntries touches.
   */
  public java.util.SortedSet<String> hostsDifferingFrom(ServiceIndex other) {
    return IndexDiff.differingKeys(byHost, other.byHost);
  }

  /** The service with host name {@code host}, if any. */
  public Optional<Service> byHost(String host) {
    return Optional.ofNullable(byHost.get(host));
  }

  public Optional<Service> byId(NamespacedName id) {
    return Optional.ofNullable(byId.get(id));
  }

  /** Services of one namespace, ordered by host name. */
  public List<Service> inNamespace(String namespace) {
    List<Service> out = new ArrayList<>();
    for (Service s : byHost.values()) {
      if (s.id().namespace().equals(namespace)) {
        out.add(s);
      }
    }
    return out;
  }

  public int size() {
    return byHost.size();
  }
}
