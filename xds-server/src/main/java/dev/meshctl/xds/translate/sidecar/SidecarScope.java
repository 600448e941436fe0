package dev.meshctl.xds.translate.sidecar;

import dev.meshctl.crds.decode.IstioConfig;
import dev.meshctl.crds.networking.DestinationRule;
import dev.meshctl.crds.networking.Sidecar;
import dev.meshctl.xds.model.EndpointIndex.ServiceTarget;
import dev.meshctl.xds.model.Locality;
import dev.meshctl.xds.model.MeshConfig;
import dev.meshctl.xds.model.MeshEndpoint;
import dev.meshctl.xds.model.MeshSnapshot;
import dev.meshctl.xds.model.NamespacedName;
import dev.meshctl.xds.model.Service;
import dev.meshctl.xds.model.ServicePort;
import dev.meshctl.xds.names.ResourceNames;
import dev.meshctl.xds.proxy.Proxy;
import dev.meshctl.xds.translate.policy.TrafficPolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What one sidecar sees of the mesh: the services it may call (outbound) and the service ports it
 * serves (inbound). The services are those exported to the proxy's namespace and imported by the
 * Sidecar resource that applies to it ({@link SidecarEgress}); the Sidecar's {@code
 * outboundTrafficPolicy} overrides the mesh's. Narrowing happens here, in one place, so the
 * translators need not know about Sidecar resources. Immutable; any thread.
 *
 * @param proxy the sidecar
 * @param mesh mesh-wide settings
 * @param domainSuffix the cluster DNS suffix of host names
 * @param services visible services, ordered by host name
 * @param inbound one target per inbound (container) port, ordered by port
 * @param snapshot the whole snapshot, for the VirtualServices and DestinationRules the proxy sees
 * @param sidecar the Sidecar resource that applies to the proxy ({@code namespace/name}), or {@code
 *     ""}
 * @param outboundTrafficPolicy the mesh's policy, or the Sidecar's when it sets one
 * @param egress the Sidecar's egress listeners in order, or empty (no Sidecar, or one without
 *     egress: everything visible is imported, on every port)
 */
public record SidecarScope(
    Proxy proxy,
    MeshConfig mesh,
    String domainSuffix,
    List<Service> services,
    List<InboundPort> inbound,
    MeshSnapshot snapshot,
    String sidecar,
    MeshConfig.OutboundTrafficPolicy outboundTrafficPolicy,
    List<Sidecar.EgressListener> egress) {

  public SidecarScope {
    services = List.copyOf(services);
    inbound = List.copyOf(inbound);
    egress = List.copyOf(egress);
  }

  /**
   * The egress listeners that name a port (non-zero), in order: each owns its port, which the
   * catch-all egress listener then leaves alone. Port 0 (Unix domain sockets) is not supported.
   */
  public List<Sidecar.EgressListener> portListeners() {
    return egress.stream()
        .filter(l -> l.port() != null && l.port().number() != null && l.port().number() > 0)
        .toList();
  }

  /**
   * Whether the catch-all egress listener (the one without a port) imports {@code service}: always
   * without egress listeners, never when the Sidecar declares only port listeners.
   */
  public boolean importedByCatchAll(Service service) {
    if (egress.isEmpty()) {
      return true;
    }
    for (Sidecar.EgressListener l : egress) {
      if (l.port() == null && imports(l, service)) {
        return true;
      }
    }
    return false;
  }

  /** The catch-all egress listener (the one without a port), if the Sidecar declares one. */
  public Optional<Sidecar.EgressListener> catchAllListener() {
    return egress.stream().filter(l -> l.port() == null).findFirst();
  }

  /** The egress listener that owns {@code port}, if the Sidecar declares one. */
  public Optional<Sidecar.EgressListener> portListener(int port) {
    return portListeners().stream().filter(l -> l.port().number() == port).findFirst();
  }

  /**
   * Whether egress listener {@code l}'s hosts import {@code service} (its port is checked by the
   * caller).
   */
  public boolean imports(Sidecar.EgressListener l, Service service) {
    for (String h : l.hosts() == null ? List.<String>of() : l.hosts()) {
      if (SidecarEgress.matches(h, proxy.namespace(), service.id().namespace(), host(service))) {
        return true;
      }
    }
    return false;
  }

  /**
   * One inbound port of the proxy.
   *
   * @param targetPort the container port traffic arrives on (a named target port resolved via the
   *     endpoint's port)
   * @param target the service port served there; when several services select the same port, the
   *     first by service name and port wins (Istio picks the oldest service, which we cannot know)
   * @param defaultEndpoint where a Sidecar {@code ingress} listener sends the traffic ({@code
   *     127.0.0.1:8080}, {@code 0.0.0.0:8080}, {@code unix:///path}), or {@code ""}: the original
   *     destination
   * @param bind the address of the port's own listener when {@code bindToPort}
   * @param bindToPort whether the port gets a real listener of its own ({@code <bind>_<port>})
   *     instead of chains on {@code virtualInbound}: a Sidecar ingress listener with {@code
   *     captureMode: NONE}, or any ingress listener of a proxy in interception mode NONE
   */
  public record InboundPort(
      int targetPort,
      ServiceTarget target,
      String defaultEndpoint,
      String bind,
      boolean bindToPort) {
    public InboundPort(int targetPort, ServiceTarget target) {
      this(targetPort, target, "", "", false);
    }
  }

  /** The scope of {@code proxy} in {@code snapshot}. */
  public static SidecarScope of(MeshSnapshot snapshot, Proxy proxy) {
    Map<Integer, InboundPort> byPort = new TreeMap<>();
    for (String ip : proxy.ipAddresses()) {
      for (ServiceTarget t : snapshot.endpoints().targetsAt(ip)) {
        int port = t.endpoint().port();
        if (port > 0 && port != ResourceNames.VIRTUAL_INBOUND_PORT) {
          byPort.putIfAbsent(port, new InboundPort(port, t));
        }
      }
    }
    Optional<IstioConfig> config = snapshot.sidecars().forProxy(proxy.namespace(), proxy.labels());
    Sidecar sidecar = config.map(c -> c.spec(Sidecar.class)).orElse(null);
    MeshConfig.OutboundTrafficPolicy policy = snapshot.mesh().outboundTrafficPolicy();
    if (sidecar != null
        && sidecar.outboundTrafficPolicy() != null
        && sidecar.outboundTrafficPolicy().mode() != null) {
      policy =
          sidecar.outboundTrafficPolicy().mode() == Sidecar.Mode.REGISTRY_ONLY
              ? MeshConfig.OutboundTrafficPolicy.REGISTRY_ONLY
              : MeshConfig.OutboundTrafficPolicy.ALLOW_ANY;
    }
    if (sidecar != null && sidecar.ingress() != null && !sidecar.ingress().isEmpty()) {
      byPort = ingressPorts(proxy, sidecar, byPort);
    } else if (proxy.capture().mode() == Proxy.InterceptionMode.NONE) {
      // Without iptables nothing reaches the service ports, and listening on them would collide
      // with the application: only a Sidecar's ingress listeners are served (as in Istio).
      byPort = Map.of();
    }
    return new SidecarScope(
        proxy,
        snapshot.mesh(),
        snapshot.services().domainSuffix(),
        SidecarEgress.visible(
            snapshot.services().all(),
            snapshot.services().domainSuffix(),
            proxy.namespace(),
            sidecar,
            // "." is the proxy's namespace even for the root namespace's default Sidecar.
            proxy.namespace()),
        new ArrayList<>(byPort.values()),
        snapshot,
        config.map(c -> c.namespace() + "/" + c.name()).orElse(""),
        policy,
        sidecar == null || sidecar.egress() == null ? List.of() : sidecar.egress());
  }

  /**
   * A Sidecar's {@code ingress} listeners replace the inbound ports the proxy's services imply: one
   * port each, with the declared protocol, for the service served there (if any) or else for a
   * placeholder service named after the Sidecar port.
   */
  private static Map<Integer, InboundPort> ingressPorts(
      Proxy proxy, Sidecar sidecar, Map<Integer, InboundPort> fromServices) {
    Map<Integer, InboundPort> out = new TreeMap<>();
    for (Sidecar.IngressListener in : sidecar.ingress()) {
      if (in.port() == null || in.port().number() == null) {
        continue;
      }
      int number = in.port().number();
      String name = in.port().name() == null ? "" : in.port().name();
      ServicePort port =
          new ServicePort(
              name,
              number,
              number,
              "",
              "TCP",
              in.port().protocol() == null ? "" : in.port().protocol());
      InboundPort existing = fromServices.get(number);
      Service service =
          existing != null
              ? existing.target().service()
              : new Service(
                  NamespacedName.of(proxy.namespace(), name.isEmpty() ? "ingress" : name),
                  Map.of(),
                  Map.of(),
                  "",
                  List.of(port));
      MeshEndpoint endpoint =
          new MeshEndpoint(
              proxy.ipAddresses().isEmpty() ? "" : proxy.ipAddresses().get(0),
              number,
              proxy.labels(),
              proxy.serviceAccount(),
              Locality.UNKNOWN,
              null,
              true);
      boolean bindToPort =
          in.captureMode() == null || in.captureMode() == Sidecar.CaptureMode.DEFAULT
              ? proxy.capture().mode() == Proxy.InterceptionMode.NONE
              : in.captureMode() == Sidecar.CaptureMode.NONE;
      if (bindToPort && number < 1024 && proxy.capture().unprivilegedPod()) {
        continue; // an unprivileged proxy cannot bind it (Istio skips it, with a warning)
      }
      String bind = in.bind() != null && !in.bind().isEmpty() ? in.bind() : inboundBind(proxy);
      out.putIfAbsent(
          number,
          new InboundPort(
              number,
              new ServiceTarget(service, port, endpoint),
              in.defaultEndpoint() == null ? "" : in.defaultEndpoint(),
              bind,
              bindToPort));
    }
    return out;
  }

  /**
   * Where an inbound listener of its own binds without a Sidecar {@code bind}: the proxy's IP when
   * it is a routable unicast address, else the wildcard (Istio's global unicast rule).
   */
  private static String inboundBind(Proxy proxy) {
    String ip = proxy.primaryIp();
    boolean routable =
        !ip.isEmpty()
            && !ip.startsWith("127.")
            && !ip.startsWith("169.254.")
            && !ip.equals("0.0.0.0")
            && !ip.equals("::1")
            && !ip.startsWith("fe80:")
            && !ip.equals("::");
    return routable ? ip : ResourceNames.WILDCARD_ADDRESS;
  }

  /** The service's host name, e.g. {@code reviews.default.svc.cluster.local}. */
  public String host(Service service) {
    return service.hostname(domainSuffix);
  }

  /** The DestinationRule this proxy uses for {@code service}, if any. */
  public Optional<DestinationRule> destinationRule(Service service) {
    return TrafficPolicy.ruleFor(snapshot, service, proxy.namespace(), proxy.labels());
  }

  /** Where outbound traffic to unknown destinations goes under the mesh's policy. */
  public String catchAllCluster() {
    return outboundTrafficPolicy == MeshConfig.OutboundTrafficPolicy.REGISTRY_ONLY
        ? ResourceNames.BLACKHOLE_CLUSTER
        : ResourceNames.PASSTHROUGH_CLUSTER;
  }
}
