package dev.meshctl.xds.translate.endpoint;

import dev.meshctl.crds.networking.DestinationRule.LoadBalancerSettings;
import dev.meshctl.crds.networking.DestinationRule.LocalityLbSetting;
import dev.meshctl.xds.model.Locality;
import dev.meshctl.xds.model.MeshConfig;
import dev.meshctl.xds.model.MeshEndpoint;
import dev.meshctl.xds.model.MeshSnapshot;
import dev.meshctl.xds.model.NamespacedName;
import dev.meshctl.xds.model.Node;
import dev.meshctl.xds.model.Pod;
import dev.meshctl.xds.model.Service;
import dev.meshctl.xds.model.TrafficDistribution;
import dev.meshctl.xds.names.ResourceNames;
import dev.meshctl.xds.names.ResourceNames.ClusterKey;
import dev.meshctl.xds.proxy.Proxy;
import dev.meshctl.xds.translate.policy.TrafficPolicy;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Decides which locality load balancing applies to a cluster and a proxy, as Istio does: the
 * effective setting is the DestinationRule's {@code localityLbSetting} (for the proxy's view of the
 * rule, port and subset), else the mesh config's (enabled by default), unless either says {@code
 * enabled: false}. {@code distribute} always applies; failover applies only with outlier detection
 * in the same policy, because without it Envoy never marks a priority unhealthy. Also where the
 * proxy is: its pod's locality in the registry, else its topology labels, else the {@code
 * Node.locality} it sent. Pure; any thread.
 */
public final class LocalityViews {
  private LocalityViews() {}

  /** Istio's label for a node's host name, added to workload labels. */
  static final String HOSTNAME_LABEL = "kubernetes.io/hostname";

  /**
   * The setting in force for a cluster.
   *
   * @param setting the locality setting
   * @param force whether failover applies without outlier detection (a Service's traffic
   *     distribution preference, which relies on endpoint health instead)
   */
  public record Effective(LocalityLbSetting setting, boolean force) {}

  /** Failover labels of a same-zone preference: network, region, zone. */
  static final List<String> SAME_ZONE =
      List.of(LocalityLb.NETWORK_LABEL, Node.REGION_LABEL, Node.ZONE_LABEL);

  /** Failover labels of a same-node preference: network, region, zone, subzone, node. */
  static final List<String> SAME_NODE =
      List.of(
          LocalityLb.NETWORK_LABEL,
          Node.REGION_LABEL,
          Node.ZONE_LABEL,
          Node.SUBZONE_LABEL,
          HOSTNAME_LABEL);

  /**
   * The effective setting, or empty when locality load balancing is off for this policy: the rule's
   * {@code localityLbSetting}, else the service's traffic distribution preference, else the mesh's.
   */
  public static Optional<Effective> effective(
      MeshConfig mesh, LoadBalancerSettings lb, Service service) {
    if (lb != null && lb.zoneAwareLbSetting() != null) {
      // Zone-aware load balancing is not implemented: no locality setting rather than a wrong one.
      return Optional.empty();
    }
    if (lb != null && lb.localityLbSetting() != null) {
      return enabled(lb.localityLbSetting(), false);
    }
    TrafficDistribution preference = service.attributes().trafficDistribution();
    if (preference != TrafficDistribution.ANY) {
      List<String> labels =
          preference == TrafficDistribution.PREFER_SAME_NODE ? SAME_NODE : SAME_ZONE;
      return Optional.of(
          new Effective(new LocalityLbSetting(List.of(), List.of(), labels, true), true));
    }
    return enabled(mesh.localityLbSetting(), false);
  }

  private static Optional<Effective> enabled(LocalityLbSetting setting, boolean force) {
    return Boolean.FALSE.equals(setting.enabled())
        ? Optional.empty()
        : Optional.of(new Effective(setting, force));
  }

  /**
   * Whether a cluster of {@code service} under {@code policy} gets Envoy's {@code
   * locality_weighted_lb_config}: with {@code distribute}, or with failover rules that apply
   * (outlier detection set, or forced by the service).
   */
  public static boolean weightedLbConfig(MeshConfig mesh, TrafficPolicy policy, Service service) {
    Optional<Effective> e = effective(mesh, policy.loadBalancer(), service);
    if (e.isEmpty()) {
      return false;
    }
    LocalityLbSetting s = e.get().setting();
    boolean failover = e.get().force() || policy.outlierDetection() != null;
    return !s.distribute().isEmpty()
        || (failover && (!s.failover().isEmpty() || !s.failoverPriority().isEmpty()));
  }

  /**
   * The view {@code proxy} has of outbound cluster {@code clusterName}'s endpoints, or empty when
   * locality load balancing does not change them (no effective setting, or only failover without
   * outlier detection): then every proxy shares one assignment.
   */
  public static Optional<LocalityLb.View> forCluster(
      MeshSnapshot snapshot, Proxy proxy, String clusterName) {
    Optional<ClusterKey> key = ResourceNames.parseCluster(clusterName);
    if (key.isEmpty()) {
      return Optional.empty();
    }
    Optional<Service> service = snapshot.services().byHost(key.get().host());
    if (service.isEmpty()) {
      return Optional.empty();
    }
    TrafficPolicy policy =
        TrafficPolicy.ruleFor(snapshot, service.get(), proxy.namespace(), proxy.labels())
            .map(r -> TrafficPolicy.of(r, key.get().subset(), key.get().port()))
            .orElse(TrafficPolicy.NONE)
            .withMeshDefaults(snapshot.mesh().defaults());
    Optional<Effective> effective =
        effective(snapshot.mesh(), policy.loadBalancer(), service.get());
    if (effective.isEmpty()) {
      return Optional.empty();
    }
    LocalityLbSetting s = effective.get().setting();
    boolean failover = effective.get().force() || policy.outlierDetection() != null;
    if (s.distribute().isEmpty() && !failover) {
      return Optional.empty();
    }
    Locality locality = proxyLocality(snapshot, proxy);
    List<Map.Entry<String, String>> priority = List.of();
    if (s.distribute().isEmpty() && !s.failoverPriority().isEmpty()) {
      Map<String, String> labels = proxyLabels(snapshot, proxy, locality);
      priority =
          labels.isEmpty() ? List.of() : LocalityLb.priorityValues(s.failoverPriority(), labels);
    }
    return Optional.of(new LocalityLb.View(s, failover, locality, priority));
  }

  /**
   * Where the proxy is: its pod's locality ({@code istio-locality} label, else its node's topology
   * labels), else the topology labels it sent, else the {@code Node.locality} it sent.
   */
  public static Locality proxyLocality(MeshSnapshot snapshot, Proxy proxy) {
    Optional<Pod> pod = podOf(snapshot, proxy);
    if (pod.isPresent()) {
      Locality l = snapshot.pods().locality(pod.get());
      if (!l.isUnknown()) {
        return l;
      }
    }
    Map<String, String> labels = proxy.labels();
    if (labels.containsKey(Node.REGION_LABEL)
        || labels.containsKey(Node.ZONE_LABEL)
        || labels.containsKey(Node.SUBZONE_LABEL)) {
      return new Locality(
          labels.getOrDefault(Node.REGION_LABEL, ""),
          labels.getOrDefault(Node.ZONE_LABEL, ""),
          labels.getOrDefault(Node.SUBZONE_LABEL, ""));
    }
    return proxy.locality();
  }

  /** The proxy's labels plus Istio's topology labels (region, zone, subzone, node name). */
  static Map<String, String> proxyLabels(MeshSnapshot snapshot, Proxy proxy, Locality locality) {
    String node = podOf(snapshot, proxy).map(Pod::nodeName).orElse("");
    return augment(proxy.labels(), locality, node);
  }

  /** An endpoint's labels plus Istio's topology labels, for {@code failoverPriority}. */
  static Map<String, String> endpointLabels(MeshSnapshot snapshot, MeshEndpoint e) {
    String node =
        e.podName() == null ? "" : snapshot.pods().byId(e.podName()).map(Pod::nodeName).orElse("");
    return augment(e.labels(), e.locality(), node);
  }

  private static Map<String, String> augment(
      Map<String, String> labels, Locality locality, String node) {
    Map<String, String> out = new HashMap<>(labels);
    putIfSet(out, Node.REGION_LABEL, locality.region());
    putIfSet(out, Node.ZONE_LABEL, locality.zone());
    putIfSet(out, Node.SUBZONE_LABEL, locality.subZone());
    putIfSet(out, HOSTNAME_LABEL, node);
    return out;
  }

  private static void putIfSet(Map<String, String> m, String key, String value) {
    if (!value.isEmpty()) {
      m.put(key, value);
    }
  }

  /**
   * The proxy's pod, by the name in its node id, as Istio finds a proxy's workload labels. Not by
   * IP: another pod may hold the address (host networking, a recycled IP) and lend its locality.
   */
  private static Optional<Pod> podOf(MeshSnapshot snapshot, Proxy proxy) {
    return snapshot.pods().byId(NamespacedName.of(proxy.namespace(), proxy.podName()));
  }
}
