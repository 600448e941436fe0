package dev.meshctl.injector;

import io.fabric8.kubernetes.api.model.Capabilities;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Lifecycle;
import io.fabric8.kubernetes.api.model.LifecycleBuilder;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.SecurityContextBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Istio's sidecar injection template ({@code files/injection-template.yaml}) computed in Java: the
 * {@code istio-init} and {@code istio-proxy} containers for one pod. Pure; every call builds new
 * objects, so any thread may call it. Volumes and metadata are in {@link SidecarVolumes} and {@link
 * SidecarInjector}.
 */
final class SidecarTemplate {
  static final String PROXY = "istio-proxy";
  static final String INIT = "istio-init";
  static final long PROXY_UID = 1337;

  private SidecarTemplate() {}

  /** The per-pod inputs of the template. */
  record Context(
      Map<String, String> annotations,
      Map<String, String> labels,
      List<Container> containers,
      DeploymentMeta deployment,
      InjectionConfig config,
      boolean nativeSidecar) {

    /** The annotation's value when present (even if empty), else the default: Istio's semantics. */
    String annotation(String name, String defaultValue) {
      String v = annotations.get(name);
      return v == null ? defaultValue : v;
    }

    String interceptionMode() {
      return annotation(Annotations.INTERCEPTION_MODE, "REDIRECT");
    }

    boolean tproxy() {
      return interceptionMode().equals("TPROXY");
    }

    String statusPort() {
      return annotation(Annotations.STATUS_PORT, Integer.toString(config.statusPort()));
    }
  }

  /** The {@code istio-iptables} init container, or none when interception is {@code NONE}. */
  static List<Container> initContainers(Context ctx) {
    if (ctx.interceptionMode().equals("NONE")) {
      return List.of();
    }
    InjectionConfig.Traffic t = ctx.config().traffic();
    List<String> args = new ArrayList<>();
    args.addAll(List.of("istio-iptables", "-p", "15001", "-z", "15006", "-u", "1337"));
    args.addAll(List.of("-m", ctx.interceptionMode()));
    args.addAll(
        List.of("-i", ctx.annotation(Annotations.INCLUDE_OUTBOUND_IPS, t.includeIpRanges())));
    args.addAll(
        List.of("-x", ctx.annotation(Annotations.EXCLUDE_OUTBOUND_IPS, t.excludeIpRanges())));
    args.addAll(
        List.of("-b", ctx.annotation(Annotations.INCLUDE_INBOUND_PORTS, t.includeInboundPorts())));
    String excluded = excludedInboundPorts(ctx);
    args.addAll(List.of("-d", excluded.isEmpty() ? "15090,15021" : "15090,15021," + excluded));
    if (ctx.annotations().containsKey(Annotations.INCLUDE_OUTBOUND_PORTS)
        || !t.includeOutboundPorts().isEmpty()) {
      args.addAll(
          List.of(
              "-q", ctx.annotation(Annotations.INCLUDE_OUTBOUND_PORTS, t.includeOutboundPorts())));
    }
    if (ctx.annotations().containsKey(Annotations.EXCLUDE_OUTBOUND_PORTS)
        || !t.excludeOutboundPorts().isEmpty()) {
      args.addAll(
          List.of(
              "-o", ctx.annotation(Annotations.EXCLUDE_OUTBOUND_PORTS, t.excludeOutboundPorts())));
    }
    if (ctx.annotations().containsKey(Annotations.EXCLUDE_INTERFACES)) {
      args.addAll(List.of("-c", ctx.annotations().get(Annotations.EXCLUDE_INTERFACES)));
    }
    args.add("--log_output_level=" + agentLogLevel(ctx));
    SecurityContext sc =
        new SecurityContextBuilder()
            .withAllowPrivilegeEscalation(false)
            .withPrivileged(false)
            .withCapabilities(new Capabilities(List.of("NET_ADMIN", "NET_RAW"), List.of("ALL")))
            .withReadOnlyRootFilesystem(false)
            .withRunAsGroup(0L)
            .withRunAsNonRoot(false)
            .withRunAsUser(0L)
            .build();
    return List.of(
        new ContainerBuilder()
            .withName(INIT)
            .withImage(proxyImage(ctx))
            .withArgs(args)
            .withResources(resources(ctx))
            .withSecurityContext(sc)
            .build());
  }

  /**
   * The excluded inbound ports: the annotation (or value) plus the agent's status port unless
   * already listed or {@code 0}, comma-joined.
   */
  static String excludedInboundPorts(Context ctx) {
    String configured =
        ctx.annotation(
            Annotations.EXCLUDE_INBOUND_PORTS, ctx.config().traffic().excludeInboundPorts());
    List<String> ports = new ArrayList<>();
    for (String p : configured.split(",")) {
      if (!p.isBlank()) {
        ports.add(p.trim());
      }
    }
    String status = ctx.statusPort().trim();
    if (!status.isEmpty() && !status.equals("0") && !ports.contains(status)) {
      ports.add(status);
    }
    return String.join(",", ports);
  }

  /** The {@code istio-proxy} container (to go into initContainers when native). */
  static Container proxyContainer(Context ctx) {
    InjectionConfig config = ctx.config();
    ContainerBuilder b = new ContainerBuilder().withName(PROXY).withImage(proxyImage(ctx));
    if (ctx.nativeSidecar()) {
      b.withRestartPolicy("Always");
    }
    b.addNewPort()
        .withContainerPort(15090)
        .withProtocol("TCP")
        .withName("http-envoy-prom")
        .endPort();
    b.withArgs(
        "proxy",
        "sidecar",
        "--domain",
        "$(POD_NAMESPACE).svc." + config.clusterDomain(),
        "--proxyLogLevel=" + ctx.annotation(Annotations.LOG_LEVEL, config.proxyLogLevel()),
        "--proxyComponentLogLevel="
            + ctx.annotation(Annotations.COMPONENT_LOG_LEVEL, config.componentLogLevel()),
        "--log_output_level=" + agentLogLevel(ctx));
    Lifecycle lifecycle = lifecycle(ctx);
    if (lifecycle != null) {
      b.withLifecycle(lifecycle);
    }
    b.withEnv(ProxyEnv.env(ctx));
    if (!ctx.statusPort().equals("0")) {
      InjectionConfig.Readiness r = config.readiness();
      if (r.startupProbeEnabled()) {
        b.withStartupProbe(healthProbe(0, 1, r.startupFailureThreshold()));
      }
      b.withReadinessProbe(
          healthProbe(
              intAnnotation(ctx, Annotations.READINESS_INITIAL_DELAY, r.initialDelaySeconds()),
              intAnnotation(ctx, Annotations.READINESS_PERIOD, r.periodSeconds()),
              intAnnotation(ctx, Annotations.READINESS_FAILURE_THRESHOLD, r.failureThreshold())));
    }
    b.withSecurityContext(proxySecurityContext(ctx));
    b.withResources(resources(ctx));
    b.withVolumeMounts(SidecarVolumes.proxyMounts());
    return b.build();
  }

  private static Lifecycle lifecycle(Context ctx) {
    if (holdApplication(ctx)) {
      return new LifecycleBuilder()
          .withNewPostStart()
          .withNewExec()
          .withCommand("pilot-agent", "wait")
          .endExec()
          .endPostStart()
          .build();
    }
    if (ctx.nativeSidecar()) {
      // Native sidecars are stopped after the app: start draining when the pod starts to stop.
      return new LifecycleBuilder()
          .withNewPreStop()
          .withNewExec()
          .withCommand(
              "pilot-agent", "request", "--debug-port=" + ctx.statusPort(), "POST", "drain")
          .endExec()
          .endPreStop()
          .build();
    }
    return null;
  }

  /** holdApplicationUntilProxyStarts only matters in the classic layout. */
  static boolean holdApplication(Context ctx) {
    return ctx.config().holdApplicationUntilProxyStarts() && !ctx.nativeSidecar();
  }

  /** The names of the application containers (all but istio-proxy), in pod order. */
  static List<String> appContainerNames(Context ctx) {
    List<String> names = new ArrayList<>();
    for (Container c : ctx.containers()) {
      if (!PROXY.equals(c.getName())) {
        names.add(c.getName());
      }
    }
    return names;
  }

  private static SecurityContext proxySecurityContext(Context ctx) {
    boolean tproxy = ctx.tproxy();
    SecurityContextBuilder b =
        new SecurityContextBuilder()
            .withAllowPrivilegeEscalation(false)
            .withCapabilities(
                new Capabilities(tproxy ? List.of("NET_ADMIN") : List.of(), List.of("ALL")))
            .withPrivileged(false)
            .withReadOnlyRootFilesystem(true);
    if (tproxy) {
      // TPROXY needs NET_ADMIN in the proxy, which only root can use.
      b.withRunAsNonRoot(false).withRunAsUser(0L).withRunAsGroup(PROXY_UID);
    } else {
      b.withRunAsNonRoot(true).withRunAsUser(PROXY_UID).withRunAsGroup(PROXY_UID);
    }
    return b.build();
  }

  /**
   * Requests and limits: when any {@code sidecar.istio.io/proxy*} resource annotation is set, only
   * the annotations count (as in Istio); otherwise the configured proxy resources.
   */
  static ResourceRequirements resources(Context ctx) {
    Map<String, String> a = ctx.annotations();
    Map<String, Quantity> requests = new TreeMap<>();
    Map<String, Quantity> limits = new TreeMap<>();
    if (a.containsKey(Annotations.PROXY_CPU)
        || a.containsKey(Annotations.PROXY_MEMORY)
        || a.containsKey(Annotations.PROXY_CPU_LIMIT)
        || a.containsKey(Annotations.PROXY_MEMORY_LIMIT)) {
      putQuantity(requests, "cpu", a.get(Annotations.PROXY_CPU));
      putQuantity(requests, "memory", a.get(Annotations.PROXY_MEMORY));
      putQuantity(limits, "cpu", a.get(Annotations.PROXY_CPU_LIMIT));
      putQuantity(limits, "memory", a.get(Annotations.PROXY_MEMORY_LIMIT));
    } else {
      InjectionConfig.ProxyResources r = ctx.config().proxyResources();
      putQuantity(requests, "cpu", r.requestsCpu());
      putQuantity(requests, "memory", r.requestsMemory());
      putQuantity(limits, "cpu", r.limitsCpu());
      putQuantity(limits, "memory", r.limitsMemory());
    }
    ResourceRequirements rr = new ResourceRequirements();
    rr.setRequests(requests.isEmpty() ? null : requests);
    rr.setLimits(limits.isEmpty() ? null : limits);
    return rr;
  }

  private static void putQuantity(Map<String, Quantity> into, String key, String value) {
    if (value != null) {
      into.put(key, new Quantity(Quantities.canonical(value)));
    }
  }

  private static String proxyImage(Context ctx) {
    String annotated = ctx.annotations().get(Annotations.PROXY_IMAGE);
    return annotated != null && annotated.contains("/") ? annotated : ctx.config().proxyImage();
  }

  private static String agentLogLevel(Context ctx) {
    return ctx.annotation(Annotations.AGENT_LOG_LEVEL, ctx.config().agentLogLevel());
  }

  /**
   * A probe on the agent's {@code :15021/healthz/ready}; zero values left out, as Go omits them.
   */
  private static Probe healthProbe(int initialDelay, int period, int failureThreshold) {
    return new ProbeBuilder()
        .withNewHttpGet()
        .withPath("/healthz/ready")
        .withPort(new IntOrString(15021))
        .endHttpGet()
        .withInitialDelaySeconds(initialDelay == 0 ? null : initialDelay)
        .withPeriodSeconds(period == 0 ? null : period)
        .withTimeoutSeconds(3)
        .withFailureThreshold(failureThreshold == 0 ? null : failureThreshold)
        .build();
  }

  /** An integer annotation; a malformed value falls back to the default rather than failing. */
  private static int intAnnotation(Context ctx, String name, int defaultValue) {
    String v = ctx.annotations().get(name);
    if (v == null) {
      return defaultValue;
    }
    try {
      return Integer.parseInt(v.trim());
    } catch (NumberFormatException e) {
      return defaultValue;
    }
  }

  static String nonEmpty(String first, String second) {
    return first != null && !first.isEmpty() ? first : second == null ? "" : second;
  }
}
