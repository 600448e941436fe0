package dev.meshctl.xds.model;

import dev.meshctl.crds.IstioKind;
import dev.meshctl.crds.decode.IstioConfig;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Everything one push translates from: the mesh config and indexes over every input object. Built
 * once per push by {@link #build}, never mutated afterwards, and shared by all proxies'
 * translations, so it is safe to read from any thread.
 *
 * @param mesh mesh-wide settings
 * @param services services by host
 * @param pods pods by name and IP
 * @param endpoints endpoints by service port and by address
 * @param virtualServices VirtualServices bound to the mesh gateway, by host
 * @param destinationRules DestinationRules by namespace and host
 */
public record MeshSnapshot(
    MeshConfig mesh,
    ServiceIndex services,
    PodIndex pods,
    EndpointIndex endpoints,
    VirtualServiceIndex virtualServices,
    DestinationRuleIndex destinationRules) {

  public MeshSnapshot {
    Objects.requireNonNull(mesh, "mesh");
    Objects.requireNonNull(services, "services");
    Objects.requireNonNull(pods, "pods");
    Objects.requireNonNull(endpoints, "endpoints");
    Objects.requireNonNull(virtualServices, "virtualServices");
    Objects.requireNonNull(destinationRules, "destinationRules");
  }

  /**
   * Builds the indexes from a store's objects. Pure: the same objects give an equal snapshot. A
   * {@link MeshConfig} among the objects replaces {@code mesh} (the default); Nodes give the
   * locality of the endpoints of pods on them; Namespaces are not indexed (discovery selectors are
   * applied before the objects get here).
   */
  public static MeshSnapshot build(MeshConfig mesh, Collection<? extends ConfigObject> objects) {
    for (ConfigObject o : objects) {
      if (o instanceof MeshConfig stored) {
        mesh = stored;
      }
    }
    Map<String, Locality> nodeLocalities = new TreeMap<>();
    List<Service> services = new ArrayList<>();
    List<EndpointSlice> slices = new ArrayList<>();
    List<Pod> pods = new ArrayList<>();
    List<IstioConfig> virtualServices = new ArrayList<>();
    List<IstioConfig> destinationRules = new ArrayList<>();
    for (ConfigObject o : objects) {
      // Java 17: no pattern switch; ConfigObject is sealed, so this chain is exhaustive.
      if (o instanceof Service s) {
        services.add(s);
      } else if (o instanceof EndpointSlice e) {
        slices.add(e);
      } else if (o instanceof Pod p) {
        pods.add(p);
      } else if (o instanceof Node n) {
        nodeLocalities.put(n.name(), n.locality());
      } else if (o instanceof IstioObject i) {
        // Gateway, ServiceEntry, Sidecar and WorkloadEntry are stored but not translated yet.
        if (i.config().kind() == IstioKind.VIRTUAL_SERVICE) {
          virtualServices.add(i.config());
        } else if (i.config().kind() == IstioKind.DESTINATION_RULE) {
          destinationRules.add(i.config());
        }
      }
    }
    ServiceIndex serviceIndex = ServiceIndex.build(mesh.domainSuffix(), services);
    PodIndex podIndex = PodIndex.build(pods);
    return new MeshSnapshot(
        mesh,
        serviceIndex,
        podIndex,
        EndpointIndex.build(serviceIndex, podIndex, slices, nodeLocalities),
        VirtualServiceIndex.build(mesh.domainSuffix(), virtualServices),
        DestinationRuleIndex.build(mesh.domainSuffix(), mesh.rootNamespace(), destinationRules));
  }

  /** An empty mesh with default settings. */
  public static MeshSnapshot empty() {
    return build(MeshConfig.DEFAULT, List.of());
  }
}
