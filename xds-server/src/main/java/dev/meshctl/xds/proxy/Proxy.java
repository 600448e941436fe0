package dev.meshctl.xds.proxy;

import dev.meshctl.xds.model.Locality;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A connected proxy's identity and metadata, parsed from its xDS {@code Node} by {@link
 * ProxyParser}. Immutable.
 *
 * @param type sidecar or router (gateway)
 * @param ipAddresses the proxy's IPs: metadata {@code INSTANCE_IPS} when present, else the IP in
 *     the node id
 * @param id the third field of the node id, {@code POD.NS} for Kubernetes workloads
 * @param dnsDomain the fourth field, {@code NS.svc.cluster.local}
 * @param namespace metadata {@code NAMESPACE}, else taken from the id
 * @param labels metadata {@code LABELS}
 * @param serviceAccount metadata {@code SERVICE_ACCOUNT}, or {@code ""}
 * @param generator which config generator serves this proxy (metadata {@code GENERATOR})
 * @param clusterId metadata {@code CLUSTER_ID}, or {@code ""}
 * @param istioVersion metadata {@code ISTIO_VERSION}, or {@code ""}
 * @param nodeId the full node id as sent, for logs and debug output
 * @param locality the {@code Node.locality} the proxy sent ({@link Locality#UNKNOWN} without one);
 *     the locality the control plane uses prefers the proxy's pod in the registry (see {@code
 *     translate/endpoint/ProxyLocality})
 */
public record Proxy(
    ProxyType type,
    List<String> ipAddresses,
    String id,
    String dnsDomain,
    String namespace,
    Map<String, String> labels,
    String serviceAccount,
    Generator generator,
    String clusterId,
    String istioVersion,
    String nodeId,
    Locality locality,
    Capture capture) {

  public Proxy {
    Objects.requireNonNull(type, "type");
    ipAddresses = List.copyOf(ipAddresses);
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(dnsDomain, "dnsDomain");
    Objects.requireNonNull(namespace, "namespace");
    labels = Map.copyOf(labels);
    Objects.requireNonNull(serviceAccount, "serviceAccount");
    Objects.requireNonNull(generator, "generator");
    Objects.requireNonNull(clusterId, "clusterId");
    Objects.requireNonNull(istioVersion, "istioVersion");
    Objects.requireNonNull(nodeId, "nodeId");
    Objects.requireNonNull(locality, "locality");
    Objects.requireNonNull(capture, "capture");
  }

  /** A proxy that sent no locality. */
  public Proxy(
      ProxyType type,
      List<String> ipAddresses,
      String id,
      String dnsDomain,
      String namespace,
      Map<String, String> labels,
      String serviceAccount,
      Generator generator,
      String clusterId,
      String istioVersion,
      String nodeId) {
    this(
        type,
        ipAddresses,
        id,
        dnsDomain,
        namespace,
        labels,
        serviceAccount,
        generator,
        clusterId,
        istioVersion,
        nodeId,
        Locality.UNKNOWN,
        Capture.DEFAULT);
  }

  /** The pod name: the id up to the last {@code .NAMESPACE} suffix. */
  public String podName() {
    String suffix = "." + namespace;
    return id.endsWith(suffix) ? id.substring(0, id.length() - suffix.length()) : id;
  }

  /** The primary IP, or {@code ""}. */
  public String primaryIp() {
    return ipAddresses.isEmpty() ? "" : ipAddresses.get(0);
  }

  /**
   * How connections reach the proxy (Istio's traffic interception mode): iptables {@code REDIRECT}
   * (the default) or {@code TPROXY} to the virtual listeners, or {@code NONE}, where nothing is
   * redirected and every listener binds a real socket.
   */
  public enum InterceptionMode {
    REDIRECT,
    TPROXY,
    NONE;

    /** The mode of an {@code INTERCEPTION_MODE} value; anything else is {@link #REDIRECT}. */
    public static InterceptionMode parse(String value) {
      return switch (value) {
        case "TPROXY" -> TPROXY;
        case "NONE" -> NONE;
        default -> REDIRECT;
      };
    }
  }

  /**
   * How traffic reaches the proxy.
   *
   * @param mode the interception mode
   * @param unprivilegedPod metadata {@code UNPRIVILEGED_POD=true}: the proxy cannot bind ports
   *     below 1024, so listeners that bind real sockets skip them
   */
  public record Capture(InterceptionMode mode, boolean unprivilegedPod) {
    public static final Capture DEFAULT = new Capture(InterceptionMode.REDIRECT, false);

    public Capture {
      Objects.requireNonNull(mode, "mode");
    }
  }

  /** Istio's node types; only sidecar and router are served so far. */
  public enum ProxyType {
    SIDECAR("sidecar"),
    ROUTER("router");

    private final String wireName;

    ProxyType(String wireName) {
      this.wireName = wireName;
    }

    public String wireName() {
      return wireName;
    }
  }

  /** Which generator builds this proxy's LDS/RDS/CDS. */
  public enum Generator {
    /** An Envoy sidecar or gateway. */
    ENVOY,
    /** A proxyless gRPC client or server (metadata {@code GENERATOR=grpc}). */
    GRPC
  }
}
