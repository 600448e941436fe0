package dev.meshctl.xds.model;

import dev.meshctl.crds.networking.DestinationRule.LocalityLbSetting;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * The mesh-wide settings that affect generated config (Istio's MeshConfig, the part we read).
 * Immutable; {@link #DEFAULT} holds Istio's defaults.
 *
 * <p>A mesh config is also an input object: a source (the {@code --mesh-config} file, the {@code
 * istio} ConfigMap) stores it under the single key {@link #KEY}, and {@link MeshSnapshot#build}
 * uses the stored one instead of its default. A change of it is therefore an ordinary (full) push.
 *
 * @param trustDomain SPIFFE trust domain, {@code cluster.local} by default
 * @param domainSuffix the cluster DNS suffix used in host names, {@code cluster.local}
 * @param rootNamespace the mesh root namespace, {@code istio-system}
 * @param outboundTrafficPolicy what sidecars do with traffic to unknown hosts
 * @param connectTimeout cluster connect timeout, 10 s
 * @param enableAutoMtls whether outbound clusters upgrade to mTLS for mesh endpoints
 * @param discoverySelectors namespaces whose objects the mesh sees (any selector matching is
 *     enough); empty: every namespace
 * @param ingressControllerMode Istio's {@code ingressControllerMode} (read, not acted on yet)
 * @param ingressClass Istio's {@code ingressClass} (read, not acted on yet)
 * @param discoveryAddress {@code defaultConfig.discoveryAddress}: where proxies find the control
 *     plane (informational: it does not change generated config)
 * @param localityLbSetting the mesh-wide locality load balancing setting, used for clusters whose
 *     DestinationRule sets none; Istio's default is enabled with no rules (failover by locality
 *     wherever outlier detection is set)
 * @param defaults defaults for what Istio resources leave unset (retries, exportTo, connection
 *     pool, HTTP/2 upgrade, ...)
 */
public record MeshConfig(
    String trustDomain,
    String domainSuffix,
    String rootNamespace,
    OutboundTrafficPolicy outboundTrafficPolicy,
    Duration connectTimeout,
    boolean enableAutoMtls,
    List<LabelSelector> discoverySelectors,
    IngressControllerMode ingressControllerMode,
    String ingressClass,
    String discoveryAddress,
    LocalityLbSetting localityLbSetting,
    MeshDefaults defaults)
    implements ConfigObject {

  /** Istio's default mesh locality setting: enabled, no distribute or failover rules. */
  public static final LocalityLbSetting DEFAULT_LOCALITY_LB =
      new LocalityLbSetting(List.of(), List.of(), List.of(), true);

  /** The store key of the (one) mesh config. */
  public static final ConfigKey KEY = ConfigKey.of(ConfigKind.MESH_CONFIG, "", "mesh");

  public static final MeshConfig DEFAULT =
      new MeshConfig(
          "cluster.local",
          "cluster.local",
          "istio-system",
          OutboundTrafficPolicy.ALLOW_ANY,
          Duration.ofSeconds(10),
          true);

  public MeshConfig {
    Objects.requireNonNull(trustDomain, "trustDomain");
    Objects.requireNonNull(domainSuffix, "domainSuffix");
    Objects.requireNonNull(rootNamespace, "rootNamespace");
    Objects.requireNonNull(outboundTrafficPolicy, "outboundTrafficPolicy");
    Objects.requireNonNull(connectTimeout, "connectTimeout");
    discoverySelectors = List.copyOf(discoverySelectors);
    Objects.requireNonNull(ingressControllerMode, "ingressControllerMode");
    Objects.requireNonNull(ingressClass, "ingressClass");
    Objects.requireNonNull(discoveryAddress, "discoveryAddress");
    Objects.requireNonNull(localityLbSetting, "localityLbSetting");
    Objects.requireNonNull(defaults, "defaults");
  }

  /** This config with {@code defaults} instead. */
  public MeshConfig withDefaults(MeshDefaults defaults) {
    return new MeshConfig(
        trustDomain,
        domainSuffix,
        rootNamespace,
        outboundTrafficPolicy,
        connectTimeout,
        enableAutoMtls,
        discoverySelectors,
        ingressControllerMode,
        ingressClass,
        discoveryAddress,
        localityLbSetting,
        defaults);
  }

  /** A mesh config with Istio's default locality setting. */
  public MeshConfig(
      String trustDomain,
      String domainSuffix,
      String rootNamespace,
      OutboundTrafficPolicy outboundTrafficPolicy,
      Duration connectTimeout,
      boolean enableAutoMtls,
      List<LabelSelector> discoverySelectors,
      IngressControllerMode ingressControllerMode,
      String ingressClass,
      String discoveryAddress) {
    this(
        trustDomain,
        domainSuffix,
        rootNamespace,
        outboundTrafficPolicy,
        connectTimeout,
        enableAutoMtls,
        discoverySelectors,
        ingressControllerMode,
        ingressClass,
        discoveryAddress,
        DEFAULT_LOCALITY_LB,
        MeshDefaults.DEFAULT);
  }

  /** The settings read before discovery selectors and ingress; the rest at Istio's defaults. */
  public MeshConfig(
      String trustDomain,
      String domainSuffix,
      String rootNamespace,
      OutboundTrafficPolicy outboundTrafficPolicy,
      Duration connectTimeout,
      boolean enableAutoMtls) {
    this(
        trustDomain,
        domainSuffix,
        rootNamespace,
        outboundTrafficPolicy,
        connectTimeout,
        enableAutoMtls,
        List.of(),
        IngressControllerMode.STRICT,
        "istio",
        "istiod." + rootNamespace + ".svc:15012");
  }

  @Override
  public ConfigKey key() {
    return KEY;
  }

  /** Whether a namespace with these labels is selected by {@link #discoverySelectors}. */
  public boolean selectsNamespace(java.util.Map<String, String> labels) {
    if (discoverySelectors.isEmpty()) {
      return true;
    }
    for (LabelSelector s : discoverySelectors) {
      if (s.matches(labels)) {
        return true;
      }
    }
    return false;
  }

  /** Istio's {@code outboundTrafficPolicy.mode}. */
  public enum OutboundTrafficPolicy {
    /** Unknown destinations go to {@code PassthroughCluster}. */
    ALLOW_ANY,
    /** Unknown destinations go to {@code BlackHoleCluster} (TCP) or get a 502 (HTTP). */
    REGISTRY_ONLY
  }

  /** Istio's {@code ingressControllerMode}: which Kubernetes Ingresses Istio would serve. */
  public enum IngressControllerMode {
    /** No Ingress is served. */
    OFF,
    /** Ingresses without a class, or with class {@code ingressClass}. */
    DEFAULT,
    /** Only Ingresses with class {@code ingressClass} (Istio's default). */
    STRICT
  }
}
