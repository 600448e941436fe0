package dev.meshctl.bench;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import dev.meshctl.xds.model.ConfigObject;
import dev.meshctl.xds.model.EndpointSlice;
import dev.meshctl.xds.model.NamespacedName;
import dev.meshctl.xds.model.Pod;
import dev.meshctl.xds.model.Service;
import dev.meshctl.xds.model.ServicePort;
import io.envoyproxy.envoy.config.core.v3.Node;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A deterministic synthetic mesh for benchmarks: {@code services} services spread round-robin over
 * {@code namespaces} namespaces, each with an HTTP port 8080 ({@code http}; every 10th service also
 * a {@code grpc} port 7070), {@code endpoints} ready endpoints each (one EndpointSlice per service,
 * one Pod per endpoint with labels {@code app}/{@code version} and a service account), and the xDS
 * nodes of {@code proxies} sidecars. Proxy {@code p} is the sidecar of endpoint {@code p mod
 * (services * endpoints)}, so every proxy also gets inbound config; when there are more proxies
 * than endpoints, several proxies share a pod's identity (as replicas restarting would).
 *
 * <p>The same arguments always give equal objects and nodes, so a client process can rebuild the
 * nodes from the arguments alone. Immutable; any thread.
 *
 * @param objects the Kubernetes input: Services, EndpointSlices and Pods
 * @param nodes the proxies' xDS nodes, in proxy order
 */
public record SyntheticMesh(List<ConfigObject> objects, List<Node> nodes) {
  static final int HTTP_PORT = 8080;
  static final int GRPC_PORT = 7070;

  public SyntheticMesh {
    objects = List.copyOf(objects);
    nodes = List.copyOf(nodes);
  }

  /** Builds the mesh; every count must be positive. */
  public static SyntheticMesh build(int services, int endpoints, int proxies, int namespaces) {
    if (services < 1 || endpoints < 1 || proxies < 0 || namespaces < 1) {
      throw new IllegalArgumentException(
          "services, endpoints and namespaces must be >= 1 and proxies >= 0, got "
              + List.of(services, endpoints, proxies, namespaces));
    }
    List<ConfigObject> objects = new ArrayList<>();
    for (int s = 0; s < services; s++) {
      objects.add(service(s, namespaces));
      objects.add(slice(s, endpoints, namespaces, -1));
      for (int e = 0; e < endpoints; e++) {
        objects.add(pod(s, e, endpoints, namespaces));
      }
    }
    List<Node> nodes = new ArrayList<>();
    for (int p = 0; p < proxies; p++) {
      int endpoint = p % (services * endpoints);
      nodes.add(node(endpoint / endpoints, endpoint % endpoints, endpoints, namespaces));
    }
    return new SyntheticMesh(objects, nodes);
  }

  /**
   * The same mesh with one endpoint changed: the first endpoint of the last service becomes not
   * ready. Only EDS depends on readiness, so this is an endpoint-only change.
   */
  public SyntheticMesh withOneEndpointNotReady(int services, int endpoints, int namespaces) {
    int last = services - 1;
    EndpointSlice changed = slice(last, endpoints, namespaces, 0);
    List<ConfigObject> out = new ArrayList<>(objects.size());
    for (ConfigObject o : objects) {
      out.add(o.key().equals(changed.key()) ? changed : o);
    }
    return new SyntheticMesh(out, nodes);
  }

  static String namespace(int service, int namespaces) {
    return String.format("ns-%03d", service % namespaces);
  }

  static String serviceName(int service) {
    return String.format("svc-%04d", service);
  }

  /** The IP of endpoint {@code e} of service {@code s}: 10.a.b.c, unique per endpoint. */
  static String ip(int service, int endpoint, int endpoints) {
    int n = service * endpoints + endpoint + 1;
    return "10." + ((n >> 16) & 0xff) + "." + ((n >> 8) & 0xff) + "." + (n & 0xff);
  }

  private static boolean hasGrpc(int service) {
    return service % 10 == 0;
  }

  private static Service service(int s, int namespaces) {
    List<ServicePort> ports = new ArrayList<>();
    ports.add(ServicePort.of("http", HTTP_PORT));
    if (hasGrpc(s)) {
      ports.add(ServicePort.of("grpc", GRPC_PORT));
    }
    String vip = "172.16." + ((s >> 8) & 0xff) + "." + (s & 0xff);
    return new Service(
        NamespacedName.of(namespace(s, namespaces), serviceName(s)),
        Map.of("app", serviceName(s)),
        Map.of("app", serviceName(s)),
        vip,
        ports);
  }

  /** The service's slice; endpoint {@code notReady} (or none, when -1) is marked not ready. */
  private static EndpointSlice slice(int s, int endpoints, int namespaces, int notReady) {
    String ns = namespace(s, namespaces);
    List<EndpointSlice.EndpointPort> ports = new ArrayList<>();
    ports.add(new EndpointSlice.EndpointPort("http", HTTP_PORT, "TCP", ""));
    if (hasGrpc(s)) {
      ports.add(new EndpointSlice.EndpointPort("grpc", GRPC_PORT, "TCP", ""));
    }
    List<EndpointSlice.Endpoint> eps = new ArrayList<>();
    for (int e = 0; e < endpoints; e++) {
      EndpointSlice.Conditions conditions =
          e == notReady
              ? new EndpointSlice.Conditions(false, false, false)
              : EndpointSlice.Conditions.READY;
      eps.add(
          new EndpointSlice.Endpoint(
              List.of(ip(s, e, endpoints)),
              conditions,
              "",
              "",
              "",
              new EndpointSlice.TargetRef("Pod", ns, podName(s, e))));
    }
    return new EndpointSlice(
        NamespacedName.of(ns, serviceName(s) + "-slice"), serviceName(s), "IPv4", ports, eps);
  }

  private static String podName(int s, int e) {
    return serviceName(s) + "-pod-" + e;
  }

  private static Pod pod(int s, int e, int endpoints, int namespaces) {
    List<Pod.ContainerPort> ports = new ArrayList<>();
    ports.add(new Pod.ContainerPort("http", HTTP_PORT, "TCP"));
    if (hasGrpc(s)) {
      ports.add(new Pod.ContainerPort("grpc", GRPC_PORT, "TCP"));
    }
    return new Pod(
        NamespacedName.of(namespace(s, namespaces), podName(s, e)),
        Map.of("app", serviceName(s), "version", "v1"),
        Map.of(),
        "sa-" + serviceName(s),
        List.of(ip(s, e, endpoints)),
        "node-0",
        ports);
  }

  /** The sidecar node of endpoint {@code e} of service {@code s}, with Istio's metadata. */
  private static Node node(int s, int e, int endpoints, int namespaces) {
    String ns = namespace(s, namespaces);
    String ip = ip(s, e, endpoints);
    Struct labels =
        Struct.newBuilder()
            .putFields("app", str(serviceName(s)))
            .putFields("version", str("v1"))
            .build();
    Struct metadata =
        Struct.newBuilder()
            .putFields("NAMESPACE", str(ns))
            .putFields("INSTANCE_IPS", str(ip))
            .putFields("SERVICE_ACCOUNT", str("sa-" + serviceName(s)))
            .putFields("LABELS", Value.newBuilder().setStructValue(labels).build())
            .build();
    return Node.newBuilder()
        .setId("sidecar~" + ip + "~" + podName(s, e) + "." + ns + "~" + ns + ".svc.cluster.local")
        .setMetadata(metadata)
        .build();
  }

  private static Value str(String s) {
    return Value.newBuilder().setStringValue(s).build();
  }
}
