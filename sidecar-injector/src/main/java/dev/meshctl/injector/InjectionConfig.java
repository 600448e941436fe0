package dev.meshctl.injector;

import java.util.List;
import java.util.Objects;

/**
 * The values the sidecar template is computed from: the subset of Istio's injector {@code values}
 * and {@code config} that this injector honours (see {@link InjectionConfigLoader} for the
 * ConfigMap shape). Immutable; safe to share between threads. Build variants with {@link
 * #toBuilder()}.
 *
 * <p>Invariants: no component is null; ports and thresholds are non-negative; {@code revision} is
 * {@code ""} for the default revision.
 *
 * @param hub image registry and repository prefix, e.g. {@code docker.io/istio}
 * @param tag image tag
 * @param image proxy image name ({@code proxyv2}); a value containing {@code /} is a full reference
 * @param discoveryAddress istiod's address for the agent's CA and XDS ({@code CA_ADDR})
 * @param istioNamespace the control plane's namespace (never injected)
 * @param revision the control plane revision; {@code ""} is the default revision
 * @param proxyResources requests and limits of istio-proxy and istio-init
 * @param nativeSidecars istio-proxy as an init container with {@code restartPolicy: Always}
 * @param holdApplicationUntilProxyStarts classic layout only: proxy first with a postStart wait
 * @param rewriteAppHttpProbe rewrite application probes to the agent's status port
 * @param injectByDefault Istio's {@code policy: enabled}: inject selected namespaces by default
 * @param neverInjectSelector pods matching any of these are not injected (unless opted in)
 * @param alwaysInjectSelector pods matching any of these are injected (unless opted out)
 */
public record InjectionConfig(
    String hub,
    String tag,
    String image,
    String discoveryAddress,
    String istioNamespace,
    String revision,
    String clusterDomain,
    String trustDomain,
    String meshId,
    String clusterName,
    ProxyResources proxyResources,
    boolean nativeSidecars,
    boolean holdApplicationUntilProxyStarts,
    boolean rewriteAppHttpProbe,
    boolean injectByDefault,
    List<LabelSelectorMatcher> neverInjectSelector,
    List<LabelSelectorMatcher> alwaysInjectSelector,
    String proxyLogLevel,
    String componentLogLevel,
    String agentLogLevel,
    Traffic traffic,
    int statusPort,
    Readiness readiness,
    String proxyConfigJson) {

  public InjectionConfig {
    Objects.requireNonNull(hub, "hub");
    Objects.requireNonNull(tag, "tag");
    Objects.requireNonNull(image, "image");
    Objects.requireNonNull(discoveryAddress, "discoveryAddress");
    Objects.requireNonNull(istioNamespace, "istioNamespace");
    Objects.requireNonNull(revision, "revision");
    Objects.requireNonNull(clusterDomain, "clusterDomain");
    Objects.requireNonNull(trustDomain, "trustDomain");
    Objects.requireNonNull(meshId, "meshId");
    Objects.requireNonNull(clusterName, "clusterName");
    Objects.requireNonNull(proxyResources, "proxyResources");
    neverInjectSelector = List.copyOf(neverInjectSelector);
    alwaysInjectSelector = List.copyOf(alwaysInjectSelector);
    Objects.requireNonNull(proxyLogLevel, "proxyLogLevel");
    Objects.requireNonNull(componentLogLevel, "componentLogLevel");
    Objects.requireNonNull(agentLogLevel, "agentLogLevel");
    Objects.requireNonNull(traffic, "traffic");
    Objects.requireNonNull(readiness, "readiness");
    Objects.requireNonNull(proxyConfigJson, "proxyConfigJson");
    if (statusPort < 0) {
      throw new IllegalArgumentException("statusPort must be >= 0, got " + statusPort);
    }
  }

  /** The image tag that production defaults point at (the istio-proxy release we speak xDS to). */
  public static final String DEFAULT_TAG = "1.28.0";

  /**
   * Istio's chart defaults, except the image: {@code docker.io/istio/proxyv2:}{@value #DEFAULT_TAG}
   * rather than the chart's development image {@code registry.istio.io/testing/proxyv2:latest}.
   */
  public static InjectionConfig defaults() {
    return new InjectionConfig(
        "docker.io/istio",
        DEFAULT_TAG,
        "proxyv2",
        "istiod.istio-system.svc:15012",
        "istio-system",
        "",
        "cluster.local",
        "cluster.local",
        "cluster.local",
        "Kubernetes",
        new ProxyResources("100m", "128Mi", "2", "1Gi"),
        true,
        false,
        true,
        true,
        List.of(),
        List.of(),
        "warning",
        "misc:error",
        "default:info",
        new Traffic("*", "", "*", "", "", ""),
        15020,
        new Readiness(0, 15, 4, true, 600),
        "{}");
  }

  /** The full proxy image reference ({@code hub/image:tag}, or {@code image} if it has a slash). */
  public String proxyImage() {
    return image.contains("/") ? image : hub + "/" + image + ":" + tag;
  }

  /** {@code revision}, or {@code default} for the default revision. */
  public String revisionOrDefault() {
    return revision.isEmpty() ? "default" : revision;
  }

  public Builder toBuilder() {
    return new Builder(this);
  }

  /**
   * Requests and limits for the injected containers; a null component is not set.
   *
   * @param requestsCpu e.g. {@code 100m}
   * @param requestsMemory e.g. {@code 128Mi}
   * @param limitsCpu e.g. {@code 2}
   * @param limitsMemory e.g. {@code 1Gi}
   */
  public record ProxyResources(
      String requestsCpu, String requestsMemory, String limitsCpu, String limitsMemory) {}

  /**
   * Defaults for istio-iptables, overridden per pod by the {@code traffic.sidecar.istio.io/*}
   * annotations. Empty strings mean "not set", as in Istio's values.
   */
  public record Traffic(
      String includeIpRanges,
      String excludeIpRanges,
      String includeInboundPorts,
      String excludeInboundPorts,
      String includeOutboundPorts,
      String excludeOutboundPorts) {
    public Traffic {
      Objects.requireNonNull(includeIpRanges, "includeIpRanges");
      Objects.requireNonNull(excludeIpRanges, "excludeIpRanges");
      Objects.requireNonNull(includeInboundPorts, "includeInboundPorts");
      Objects.requireNonNull(excludeInboundPorts, "excludeInboundPorts");
      Objects.requireNonNull(includeOutboundPorts, "includeOutboundPorts");
      Objects.requireNonNull(excludeOutboundPorts, "excludeOutboundPorts");
    }
  }

  /** istio-proxy's readiness probe and (optional) startup probe settings. */
  public record Readiness(
      int initialDelaySeconds,
      int periodSeconds,
      int failureThreshold,
      boolean startupProbeEnabled,
      int startupFailureThreshold) {}

  /** Mutable builder for variants of a config; not thread-safe, confine to one thread. */
  public static final class Builder {
    private String hub;
    private String tag;
    private String image;
    private String discoveryAddress;
    private String istioNamespace;
    private String revision;
    private final String clusterDomain;
    private String trustDomain;
    private String meshId;
    private String clusterName;
    private ProxyResources proxyResources;
    private boolean nativeSidecars;
    private boolean holdApplicationUntilProxyStarts;
    private boolean rewriteAppHttpProbe;
    private boolean injectByDefault;
    private List<LabelSelectorMatcher> neverInjectSelector;
    private List<LabelSelectorMatcher> alwaysInjectSelector;
    private final String proxyLogLevel;
    private final String componentLogLevel;
    private final String agentLogLevel;
    private Traffic traffic;
    private final int statusPort;
    private final Readiness readiness;
    private final String proxyConfigJson;

    private Builder(InjectionConfig c) {
      hub = c.hub;
      tag = c.tag;
      image = c.image;
      discoveryAddress = c.discoveryAddress;
      istioNamespace = c.istioNamespace;
      revision = c.revision;
      clusterDomain = c.clusterDomain;
      trustDomain = c.trustDomain;
      meshId = c.meshId;
      clusterName = c.clusterName;
      proxyResources = c.proxyResources;
      nativeSidecars = c.nativeSidecars;
      holdApplicationUntilProxyStarts = c.holdApplicationUntilProxyStarts;
      rewriteAppHttpProbe = c.rewriteAppHttpProbe;
      injectByDefault = c.injectByDefault;
      neverInjectSelector = c.neverInjectSelector;
      alwaysInjectSelector = c.alwaysInjectSelector;
      proxyLogLevel = c.proxyLogLevel;
      componentLogLevel = c.componentLogLevel;
      agentLogLevel = c.agentLogLevel;
      traffic = c.traffic;
      statusPort = c.statusPort;
      readiness = c.readiness;
      proxyConfigJson = c.proxyConfigJson;
    }

    public Builder hub(String v) {
      hub = v;
      return this;
    }

    public Builder tag(String v) {
      tag = v;
      return this;
    }

    public Builder image(String v) {
      image = v;
      return this;
    }

    public Builder discoveryAddress(String v) {
      discoveryAddress = v;
      return this;
    }

    public Builder istioNamespace(String v) {
      istioNamespace = v;
      return this;
    }

    public Builder revision(String v) {
      revision = v;
      return this;
    }

    public Builder trustDomain(String v) {
      trustDomain = v;
      return this;
    }

    public Builder meshId(String v) {
      meshId = v;
      return this;
    }

    public Builder clusterName(String v) {
      clusterName = v;
      return this;
    }

    public Builder proxyResources(ProxyResources v) {
      proxyResources = v;
      return this;
    }

    public Builder nativeSidecars(boolean v) {
      nativeSidecars = v;
      return this;
    }

    public Builder holdApplicationUntilProxyStarts(boolean v) {
      holdApplicationUntilProxyStarts = v;
      return this;
    }

    public Builder rewriteAppHttpProbe(boolean v) {
      rewriteAppHttpProbe = v;
      return this;
    }

    public Builder injectByDefault(boolean v) {
      injectByDefault = v;
      return this;
    }

    public Builder neverInjectSelector(List<LabelSelectorMatcher> v) {
      neverInjectSelector = v;
      return this;
    }

    public Builder alwaysInjectSelector(List<LabelSelectorMatcher> v) {
      alwaysInjectSelector = v;
      return this;
    }

    public Builder traffic(Traffic v) {
      traffic = v;
      return this;
    }

    public InjectionConfig build() {
      return new InjectionConfig(
          hub,
          tag,
          image,
          discoveryAddress,
          istioNamespace,
          revision,
          clusterDomain,
          trustDomain,
          meshId,
          clusterName,
          proxyResources,
          nativeSidecars,
          holdApplicationUntilProxyStarts,
          rewriteAppHttpProbe,
          injectByDefault,
          neverInjectSelector,
          alwaysInjectSelector,
          proxyLogLevel,
          componentLogLevel,
          agentLogLevel,
          traffic,
          statusPort,
          readiness,
          proxyConfigJson);
    }
  }
}
