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
 * @param peerAuthentications inbound mutual-TLS modes by namespace, workload and port
 * @param gateways Gateways and the VirtualServices bound to them
 * @param secrets Kubernetes Secrets (gateway credentials) by namespace and name
 * @param sidecars Sidecar resources, for each proxy's scope
 * @param authorizationPolicies AuthorizationPolicies, for each workload's inbound RBAC
 * @param envoyFilters EnvoyFilters, patched into each Envoy proxy's generated config
 * @param features control plane settings that change generated config ({@code PILOT_*})
 */
public record MeshSnapshot(
    MeshConfig mesh,
    ServiceIndex services,
    PodIndex pods,
    EndpointIndex endpoints,
    VirtualServiceIndex virtualServices,
    DestinationRuleIndex destinationRules,
    PeerAuthenticationIndex peerAuthentications,
    GatewayIndex gateways,
    SecretIndex secrets,
    SidecarIndex sidecars,
    AuthorizationPolicyIndex authorizationPolicies,
    EnvoyFilterIndex envoyFilters,
    PilotFeatures features) {

  public MeshSnapshot {
    Objects.requireNonNull(mesh, "mesh");
    Objects.requireNonNull(services, "services");
    Objects.requireNonNull(pods, "pods");
    Objects.requireNonNull(endpoints, "endpoints");
    Objects.requireNonNull(virtualServices, "virtualServices");
    Objects.requireNonNull(destinationRules, "destinationRules");
    Objects.requireNonNull(peerAuthentications, "peerAuthentications");
    Objects.requireNonNull(gateways, "gateways");
    Objects.requireNonNull(secrets, "secrets");
    Objects.requireNonNull(sidecars, "sidecars");
    Objects.requireNonNull(authorizationPolicies, "authorizationPolicies");
    Objects.requireNonNull(envoyFilters, "envoyFilters");
    Objects.requireNonNull(features, "features");
  }

  /** This snapshot, translated under {@code features} instead. */
  public MeshSnapshot withFeatures(PilotFeatures features) {
    return new MeshSnapshot(
        mesh,
        services,
        pods,
        endpoints,
        virtualServices,
        destinationRules,
        peerAuthentications,
        gateways,
        secrets,
        sidecars,
        authorizationPolicies,
        envoyFilters,
        features);
  }

  /**
   * Builds the indexes from a store's objects. Pure: the same objects give an equal snapshot. A
   * {@link MeshConfig} among the objects replaces {@code mesh} (the default); Nodes give the
   * locality of the endpoints of pods on them; Namespaces are not indexed (discovery selectors are
   * applied before the objects get here).
   */
  public static MeshSnapshot build(MeshConfig mesh, Collection<? extends ConfigObject> objects) {
    return build(mesh, objects, List.of());
  }

  /**
   * Builds the indexes from a store's objects plus extra PeerAuthentication policies (those not in
   * the store, e.g. from a test); the store's PeerAuthentication objects are converted by {@link
   * PeerAuthenticationPolicies} and indexed with them. Pure.
   */
  public static MeshSnapshot build(
      MeshConfig mesh,
      Collection<? extends ConfigObject> objects,
      Collection<PeerAuthenticationPolicy> peerAuthentications) {
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
    List<IstioConfig> gateways = new ArrayList<>();
    List<PeerAuthenticationPolicy> policies = new ArrayList<>(peerAuthentications);
    List<Secret> secrets = new ArrayList<>();
    List<IstioConfig> serviceEntries = new ArrayList<>();
    List<IstioConfig> workloadEntries = new ArrayList<>();
    List<IstioConfig> sidecars = new ArrayList<>();
    List<IstioConfig> authorizationPolicies = new ArrayList<>();
    List<IstioConfig> envoyFilters = new ArrayList<>();
    for (ConfigObject o : objects) {
      // Java 17: no pattern switch; ConfigObject is sealed, so this chain is exhaustive.
      if (o instanceof Service s) {
        services.add(s);
      } else if (o instanceof EndpointSlice e) {
        slices.add(e);
      } else if (o instanceof Pod p) {
        pods.add(p);
      } else if (o instanceof Secret secret) {
        secrets.add(secret);
      } else if (o instanceof Node n) {
        nodeLocalities.put(n.name(), n.locality());
      } else if (o instanceof IstioObject i) {
        // WorkloadGroup and RequestAuthentication are stored, not translated.
        IstioKind kind = i.config().kind();
        if (kind == IstioKind.VIRTUAL_SERVICE) {
          virtualServices.add(i.config());
        } else if (kind == IstioKind.DESTINATION_RULE) {
          destinationRules.add(i.config());
        } else if (kind == IstioKind.GATEWAY) {
          gateways.add(i.config());
        } else if (kind == IstioKind.PEER_AUTHENTICATION) {
          policies.add(PeerAuthenticationPolicies.of(i.config()));
        } else if (kind == IstioKind.SERVICE_ENTRY) {
          serviceEntries.add(i.config());
        } else if (kind == IstioKind.WORKLOAD_ENTRY) {
          workloadEntries.add(i.config());
        } else if (kind == IstioKind.SIDECAR) {
          sidecars.add(i.config());
        } else if (kind == IstioKind.AUTHORIZATION_POLICY) {
          authorizationPolicies.add(i.config());
        } else if (kind == IstioKind.ENVOY_FILTER) {
          envoyFilters.add(i.config());
        }
      }
    }
    ServiceEntries.Converted entries =
        ServiceEntries.convert(serviceEntries, workloadEntries, pods);
    // ServiceEntry services first: a Kubernetes Service with the same host replaces them.
    List<Service> all = new ArrayList<>(entries.services());
    all.addAll(services);
    all = ExportToDefaults.services(all, mesh.defaults().serviceExportTo());
    virtualServices =
        ExportToDefaults.virtualServices(virtualServices, mesh.defaults().virtualServiceExportTo());
    destinationRules =
        ExportToDefaults.destinationRules(
            destinationRules, mesh.defaults().destinationRuleExportTo());
    ServiceIndex serviceIndex = ServiceIndex.build(mesh.domainSuffix(), all);
    PodIndex podIndex = PodIndex.build(pods, nodeLocalities);
    // Roots absorb their delegates here, so sidecars, gateways and proxyless all see merged rules.
    virtualServices =
        VirtualServiceDelegates.merge(mesh.domainSuffix(), virtualServices).virtualServices();
    return new MeshSnapshot(
        mesh,
        serviceIndex,
        podIndex,
        EndpointIndex.build(serviceIndex, podIndex, slices, entries.endpoints()),
        VirtualServiceIndex.build(mesh.domainSuffix(), virtualServices),
        DestinationRuleIndex.build(mesh.domainSuffix(), mesh.rootNamespace(), destinationRules),
        PeerAuthenticationIndex.build(mesh.rootNamespace(), policies),
        GatewayIndex.build(gateways, virtualServices),
        SecretIndex.build(secrets),
        SidecarIndex.build(mesh.rootNamespace(), sidecars),
        AuthorizationPolicyIndex.build(mesh.rootNamespace(), authorizationPolicies),
        EnvoyFilterIndex.build(mesh.rootNamespace(), envoyFilters),
        PilotFeatures.DEFAULT);
  }

  /** An empty mesh with default settings. */
  public static MeshSnapshot empty() {
    return build(MeshConfig.DEFAULT, List.of());
  }
}
