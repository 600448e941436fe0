package dev.meshctl.xds.model;

import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * What an endpoint-only change between two snapshots touches beyond EDS: the addresses whose
 * service targets changed (a proxy at such an address has a different inbound side: listeners,
 * clusters and routes) and whether a headless service's endpoints changed (Envoy sidecars get one
 * outbound listener per headless endpoint). Everything else a sidecar or proxyless client receives
 * besides EDS is a function of services, not endpoints. Services whose endpoints travel outside EDS
 * (DNS ServiceEntries: inline in their clusters) count as headless here. Pure; any thread.
 *
 * @param headlessChanged true when some headless (or DNS-resolved) service's endpoints differ
 * @param changedAddresses addresses whose {@link EndpointIndex#targetsAt} differ, sorted
 */
public record EndpointChanges(boolean headlessChanged, Set<String> changedAddresses) {

  public EndpointChanges {
    changedAddresses = Set.copyOf(changedAddresses);
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
        }
      }
    }
    return new EndpointChanges(headless, changed);
  }
}
