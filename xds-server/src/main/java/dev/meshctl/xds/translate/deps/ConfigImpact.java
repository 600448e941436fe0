package dev.meshctl.xds.translate.deps;

import dev.meshctl.crds.decode.IstioConfig;
import dev.meshctl.crds.networking.Common.Destination;
import dev.meshctl.crds.networking.Sidecar;
import dev.meshctl.crds.networking.VirtualService;
import dev.meshctl.xds.model.ConfigKey;
import dev.meshctl.xds.model.IstioHosts;
import dev.meshctl.xds.model.MeshSnapshot;
import dev.meshctl.xds.model.Service;
import dev.meshctl.xds.names.ResourceNames;
import dev.meshctl.xds.proxy.Proxy;
import dev.meshctl.xds.translate.Subscription;
import dev.meshctl.xds.translate.sidecar.SidecarEgress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Which proxies a config change can reach (Istio's {@code ProxyNeedsPush}): the answer to "may this
 * proxy's CDS, LDS, RDS or EDS differ between the two snapshots?", so a push regenerates only those
 * proxies. It is derived from what the translators read, by diffing the snapshots' indexes rather
 * than trusting the changed keys alone (a delegate VirtualService changes its root's host; a
 * ServiceEntry's hosts are only known from its old and new versions):
 *
 * <ul>
 *   <li>Mesh config, Namespace, Node and PeerAuthentication changes (auto mTLS makes clients depend
 *       on their servers' policies) and any kind this class does not know reach everyone.
 *   <li>Services, ServiceEntries, WorkloadEntries, VirtualServices and DestinationRules change a
 *       set of hosts. A sidecar is reached when one of them is visible to it (exportTo plus its
 *       Sidecar's egress hosts, before or after the change). A DestinationRule also reaches the
 *       hosts whose VirtualServices route to it, since a route's hash policy comes from its
 *       destination's rule. A proxyless gRPC client is reached only for the types whose subscribed
 *       names are about a changed host (it asks for each name, and every name carries its host).
 *   <li>A Sidecar reaches the proxies of its namespace (everyone for the root namespace's default);
 *       an AuthorizationPolicy, RequestAuthentication or EnvoyFilter those of its namespace
 *       (everyone from the root namespace).
 *   <li>Gateways (router proxies) are reached by any Gateway change and by any host change, since
 *       their routes may name any host.
 * </ul>
 *
 * <p>Endpoint changes (EndpointSlices, Pods) and Secrets are outside this class: the caller scopes
 * them by address and subscription. A false "reached" costs CPU only; a false "not reached" would
 * leave a proxy with stale config, so every doubt resolves to "reached" (a property test compares
 * generated config before and after for every proxy left out).
 *
 * <p>Immutable apart from a memo of the sidecar views seen; any thread, including the push workers
 * concurrently.
 */
public final class ConfigImpact {
  /** A change that reaches no proxy. */
  public static final ConfigImpact NONE =
      new ConfigImpact(false, false, false, Set.of(), Set.of(), null, null);

  /** A change that reaches every proxy. */
  public static final ConfigImpact EVERYONE =
      new ConfigImpact(true, true, true, Set.of(), Set.of(), null, null);

  private final boolean everyone;
  private final boolean routers;
  private final boolean envoySidecars;
  private final Set<String> namespaces;
  private final Set<String> hosts;
  private final MeshSnapshot before;
  private final MeshSnapshot after;

  /** (namespace, Sidecar before, Sidecar after) to whether that view sees a changed host. */
  private final ConcurrentMap<List<String>, Boolean> views = new ConcurrentHashMap<>();

  private ConfigImpact(
      boolean everyone,
      boolean routers,
      boolean envoySidecars,
      Set<String> namespaces,
      Set<String> hosts,
      MeshSnapshot before,
      MeshSnapshot after) {
    this.everyone = everyone;
    this.routers = routers;
    this.envoySidecars = envoySidecars;
    this.namespaces = Set.copyOf(namespaces);
    this.hosts = Set.copyOf(hosts);
    this.before = before;
    this.after = after;
  }

  /**
   * What changing {@code keys} between {@code before} and {@code after} reaches. Keys of kinds
   * handled elsewhere (EndpointSlice, Pod, Secret) contribute nothing.
   */
  public static ConfigImpact of(
      MeshSnapshot before, MeshSnapshot after, Collection<ConfigKey> keys) {
    return of(before, after, keys, Set.of());
  }

  /**
   * Like {@link #of(MeshSnapshot, MeshSnapshot, Collection)}, plus {@code changedHosts}: hosts
   * known changed by other means, e.g. services whose identities or headless endpoints changed
   * ({@code EndpointChanges.hostsBeyondEds}).
   */
  public static ConfigImpact of(
      MeshSnapshot before,
      MeshSnapshot after,
      Collection<ConfigKey> keys,
      Set<String> changedHosts) {
    if (!before.mesh().equals(after.mesh()) || !before.features().equals(after.features())) {
      return EVERYONE;
    }
    String root = after.mesh().rootNamespace();
    boolean services = false;
    boolean virtualServices = false;
    boolean destinationRules = false;
    boolean gateways = false;
    boolean sidecars = false;
    Set<String> namespaces = new TreeSet<>();
    for (ConfigKey key : keys) {
      switch (key.kind()) {
        case ENDPOINT_SLICE, POD, SECRET, WORKLOAD_GROUP -> {
          // Endpoints and Secrets are scoped by the caller; WorkloadGroups are not translated.
        }
        case SERVICE, SERVICE_ENTRY, WORKLOAD_ENTRY -> services = true;
        case VIRTUAL_SERVICE -> virtualServices = true;
        case DESTINATION_RULE -> destinationRules = true;
        case GATEWAY -> gateways = true;
        case SIDECAR -> sidecars = true;
        case AUTHORIZATION_POLICY, REQUEST_AUTHENTICATION, ENVOY_FILTER -> {
          if (key.id().namespace().equals(root)) {
            return EVERYONE;
          }
          namespaces.add(key.id().namespace());
        }
        default -> {
          return EVERYONE;
        }
      }
    }
    if (sidecars) {
      SortedSet<String> changed = before.sidecars().namespacesDifferingFrom(after.sidecars());
      if (changed.contains(root)) {
        return EVERYONE;
      }
      namespaces.addAll(changed);
    }
    Set<String> hosts = new TreeSet<>(changedHosts);
    if (services) {
      hosts.addAll(before.services().hostsDifferingFrom(after.services()));
    }
    boolean envoySidecars = false;
    if (virtualServices) {
      SortedSet<String> changed =
          before.virtualServices().hostsDifferingFrom(after.virtualServices());
      hosts.addAll(changed);
      // A host no service has is served on every Envoy sidecar's port-80 routes.
      for (String h : changed) {
        envoySidecars |= !isService(before, h) && !isService(after, h);
      }
    }
    // Gateway-bound VirtualServices live in the gateway index, not among the mesh's hosts.
    boolean routers = (gateways || virtualServices) && !before.gateways().sameAs(after.gateways());
    if (destinationRules) {
      SortedSet<String> rules =
          before.destinationRules().hostsDifferingFrom(after.destinationRules());
      if (!rules.isEmpty()) {
        hosts.addAll(rules);
        hosts.addAll(routingTo(before, rules));
        hosts.addAll(routingTo(after, rules));
        routers = true;
      }
    }
    routers |= !hosts.isEmpty();
    if (!routers && !envoySidecars && hosts.isEmpty() && namespaces.isEmpty()) {
      return NONE;
    }
    return new ConfigImpact(false, routers, envoySidecars, namespaces, hosts, before, after);
  }

  /** True when the change reaches every proxy. */
  public boolean everyone() {
    return everyone;
  }

  /** True when the change reaches no proxy at all. */
  public boolean isEmpty() {
    return !everyone && !routers && !envoySidecars && namespaces.isEmpty() && hosts.isEmpty();
  }

  /** The changed hosts (exact or wildcard), sorted; for logs and tests. */
  public SortedSet<String> hosts() {
    return new TreeSet<>(hosts);
  }

  /** The namespaces all of whose proxies are reached, sorted; for logs and tests. */
  public SortedSet<String> namespaces() {
    return new TreeSet<>(namespaces);
  }

  /**
   * True when the change may alter what {@code proxy} is served for the type it subscribes to as
   * {@code subscription}.
   */
  public boolean reaches(Proxy proxy, Subscription subscription) {
    if (everyone || namespaces.contains(proxy.namespace())) {
      return true;
    }
    if (proxy.type() == Proxy.ProxyType.ROUTER) {
      return routers;
    }
    if (hosts.isEmpty()) {
      return false;
    }
    if (proxy.generator() == Proxy.Generator.GRPC) {
      return subscribesToChangedHost(subscription);
    }
    return envoySidecars || sidecarSeesChangedHost(proxy);
  }

  /** True when the change may alter anything {@code proxy} is served, whatever it subscribes to. */
  public boolean reaches(Proxy proxy) {
    return reaches(proxy, Subscription.WILDCARD);
  }

  private boolean subscribesToChangedHost(Subscription subscription) {
    if (!(subscription instanceof Subscription.Names names)) {
      return true;
    }
    for (String name : names.names()) {
      Optional<String> host = ResourceNames.grpcResourceHost(name);
      if (host.isPresent() && changed(host.get())) {
        return true;
      }
    }
    return false;
  }

  private boolean sidecarSeesChangedHost(Proxy proxy) {
    Optional<IstioConfig> was = before.sidecars().forProxy(proxy.namespace(), proxy.labels());
    Optional<IstioConfig> is = after.sidecars().forProxy(proxy.namespace(), proxy.labels());
    List<String> view = List.of(proxy.namespace(), id(was), id(is));
    return views.computeIfAbsent(
        view, v -> seesChangedHost(before, proxy, was) || seesChangedHost(after, proxy, is));
  }

  private boolean seesChangedHost(
      MeshSnapshot snapshot, Proxy proxy, Optional<IstioConfig> sidecar) {
    List<Service> visible =
        SidecarEgress.visible(
            snapshot.services().all(),
            snapshot.services().domainSuffix(),
            proxy.namespace(),
            sidecar.map(c -> c.spec(Sidecar.class)).orElse(null),
            proxy.namespace());
    for (Service s : visible) {
      if (changed(s.hostname(snapshot.services().domainSuffix()))) {
        return true;
      }
    }
    return false;
  }

  /** Whether {@code host} (exact or wildcard) is, or covers, a service of {@code snapshot}. */
  private static boolean isService(MeshSnapshot snapshot, String host) {
    if (snapshot.services().byHost(host).isPresent()) {
      return true;
    }
    if (!IstioHosts.isWildcard(host)) {
      return false;
    }
    for (String h : snapshot.services().byHost().keySet()) {
      if (IstioHosts.matches(host, h)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether {@code host} (a service's) is one of the changed hosts or matches a changed wildcard.
   */
  private boolean changed(String host) {
    if (hosts.contains(host)) {
      return true;
    }
    for (String h : hosts) {
      if (IstioHosts.isWildcard(h) && IstioHosts.matches(h, host)) {
        return true;
      }
    }
    return false;
  }

  /** The hosts of the VirtualServices with a destination one of {@code patterns} covers. */
  private static Set<String> routingTo(MeshSnapshot snapshot, Set<String> patterns) {
    Set<String> out = new TreeSet<>();
    String suffix = snapshot.services().domainSuffix();
    for (Map.Entry<String, List<IstioConfig>> e : snapshot.virtualServices().byHost().entrySet()) {
      for (IstioConfig c : e.getValue()) {
        for (Destination d : destinations(c.spec(VirtualService.class))) {
          String host = IstioHosts.resolve(d.host(), c.namespace(), suffix);
          for (String p : patterns) {
            if (p.equals(host) || (IstioHosts.isWildcard(p) && IstioHosts.matches(p, host))) {
              out.add(e.getKey());
            }
          }
        }
      }
    }
    return out;
  }

  private static List<Destination> destinations(VirtualService vs) {
    List<Destination> out = new ArrayList<>();
    for (VirtualService.HttpRoute r : nonNull(vs.http())) {
      for (VirtualService.HttpRouteDestination d : nonNull(r.route())) {
        if (d.destination() != null) {
          out.add(d.destination());
        }
      }
      if (r.mirror() != null) {
        out.add(r.mirror());
      }
      for (VirtualService.HttpMirrorPolicy m : nonNull(r.mirrors())) {
        if (m.destination() != null) {
          out.add(m.destination());
        }
      }
    }
    out.removeIf(d -> d.host() == null);
    return out;
  }

  private static <T> List<T> nonNull(List<T> list) {
    return list == null ? List.of() : list;
  }

  private static String id(Optional<IstioConfig> c) {
    return c.map(x -> x.namespace() + "/" + x.name()).orElse("");
  }
}
