package dev.meshctl.xds.model;

import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * What an endpoint-only change between two snapshots touches beyond EDS: the addresses whose
 * service targets changed (a proxy at such an address has a different inbound side: listeners,
 * clusters and routes) and whether a headless service's endpoints changed (Envoy sidecars get one
 * outbound listener per headless endpoint), and whether the identities behind some service changed
 * (outbound mTLS clusters verify the service accounts of a service's pods). Everything else a
 * sidecar or proxyless client receives besides EDS is a function of services, not endpoints.
 * Services whose endpoints travel outside EDS (DNS ServiceEntries: inline in their clusters) count
 * as headless here. Pure; any thread.
 *
 * @param headlessChanged true when some headless (or DNS-resolved) service's endpoints differ
 * @param changedAddresses addresses whose {@link EndpointIndex#targetsAt} differ, sorted
 * @param identitiesChanged true when the set of service accounts behind some service differs
 * @param hostsBeyondEds the host names of the services behind {@code headlessChanged} and {@code
 *     identitiesChanged}, sorted: only proxies that see one of them need more than EDS
 */
public record EndpointChanges(
    boolean headlessChanged,
    Set<String> changedAddresses,
    boolean identitiesChanged,
    Set<String> hostsBeyondEds) {

  public EndpointChanges {
    changedAddresses = Set.copyOf(changedAddresses);
    hostsBeyondEds = Set.copyOf(hostsBeyondEds);
  }

  /** Compares the endpoints of two snapshots whose services are the same. */
  public static EndpointChanges between(MeshSnapshot before, MeshSnapshot after) {
    Set<String> changed = new TreeSet<>();
    Set<String> addresses = new TreeSet<>(before.endpoints().targetsByAddress().keySet());
    addresses.addAll(after.endpoints().targetsByAddress().keySet());
    for (String address : addresses) {
      if (!Objects.equals(
          before.endpoints().targetsAt(address), after.endpoints().targetsAt(address))) {
        changed.add(address);
      }
    }
    boolean headless = false;
    Set<String> hosts = new TreeSet<>();
    String suffix = after.services().domainSuffix();
    for (Service s : after.services().all()) {
      // Headless services have per-endpoint listeners; DNS ServiceEntries carry their endpoints
      // inline in CDS. Either way a change is more than an EDS update.
      if (s.resolution() == Resolution.CLIENT_SIDE_LB) {
        continue;
      }
      for (ServicePort p : s.ports()) {
        if (!before
            .endpoints()
            .endpoints(s.id(), p.port())
            .equals(after.endpoints().endpoints(s.id(), p.port()))) {
          headless = true;
          hosts.add(s.hostname(suffix));
        }
      }
    }
    boolean identities = false;
    for (Service s : after.services().all()) {
      if (!serviceAccounts(before, s).equals(serviceAccounts(after, s))) {
        identities = true;
        hosts.add(s.hostname(suffix));
      }
    }
    return new EndpointChanges(headless, changed, identities, hosts);
  }

  /**
   * True when the change reaches beyond EDS and the changed addresses, so every proxy needs a full
   * push: a headless service's endpoints or a service's identities changed.
   */
  public boolean fullPushNeeded() {
    return headlessChanged || identitiesChanged;
  }

  private static Set<String> serviceAccounts(MeshSnapshot snapshot, Service s) {
    Set<String> out = new TreeSet<>();
    for (ServicePort p : s.ports()) {
      for (MeshEndpoint e : snapshot.endpoints().endpoints(s.id(), p.port())) {
        if (e.podName() != null) {
          out.add(e.podName().namespace() + "/" + e.serviceAccount());
        }
      }
    }
    return out;
  }
}
