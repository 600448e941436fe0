package dev.meshctl.xds.names;

import com.google.common.net.HostAndPort;
import com.google.common.net.InetAddresses;
import java.util.Optional;

/**
 * Every Envoy resource name we generate, in Istio's spelling, so Istio's tools and habits keep
 * working ({@code istioctl proxy-config}, dashboards keyed on cluster names). No other class builds
 * a resource name by concatenation. Stateless; any thread.
 */
public final class ResourceNames {
  private ResourceNames() {}

  /** Listener of the outbound capture port (iptables redirects outbound traffic here). */
  public static final String VIRTUAL_OUTBOUND = "virtualOutbound";

  /** Listener of the inbound capture port. */
  public static final String VIRTUAL_INBOUND = "virtualInbound";

  public static final int VIRTUAL_OUTBOUND_PORT = 15001;
  public static final int VIRTUAL_INBOUND_PORT = 15006;

  /** ORIGINAL_DST cluster for traffic to destinations the mesh does not know. */
  public static final String PASSTHROUGH_CLUSTER = "PassthroughCluster";

  /** STATIC cluster with no endpoints: traffic sent here fails. */
  public static final String BLACKHOLE_CLUSTER = "BlackHoleCluster";

  /** ORIGINAL_DST cluster for inbound traffic to ports no service declares. */
  public static final String INBOUND_PASSTHROUGH_CLUSTER = "InboundPassthroughCluster";

  /** Source address inbound passthrough binds to, so iptables does not capture it again. */
  public static final String INBOUND_PASSTHROUGH_BIND_IP = "127.0.0.6";

  /** Filter chain names of the capture listeners. */
  public static final String VIRTUAL_OUTBOUND_CATCHALL_TCP = "virtualOutbound-catchall-tcp";

  public static final String VIRTUAL_INBOUND_BLACKHOLE = "virtualInbound-blackhole";
  public static final String VIRTUAL_INBOUND_CATCHALL_HTTP = "virtualInbound-catchall-http";
  public static final String PASSTHROUGH_FILTER_CHAIN = "PassthroughFilterChain";

  /** Catch-all virtual hosts of outbound HTTP route configs. */
  public static final String ALLOW_ANY_VHOST = "allow_any";

  public static final String BLOCK_ALL_VHOST = "block_all";

  /** Routes of the catch-all virtual hosts (same names as their virtual hosts, as in Istio). */
  public static final String ALLOW_ANY_ROUTE = ALLOW_ANY_VHOST;

  public static final String BLOCK_ALL_ROUTE = BLOCK_ALL_VHOST;

  /** Passthrough chain of {@code virtualInbound} for TCP: named after the listener, as in Istio. */
  public static final String VIRTUAL_INBOUND_PASSTHROUGH_TCP = VIRTUAL_INBOUND;

  /** Name of a route with no VirtualService behind it. */
  public static final String DEFAULT_ROUTE = "default";

  /**
   * Name of the Envoy route made from one match of a VirtualService HTTP rule: the rule's {@code
   * name}, then {@code .<match name>} when the match is named (Istio's spelling); {@code ""} when
   * neither is named.
   */
  public static String virtualServiceRoute(String ruleName, String matchName) {
    String rule = ruleName == null ? "" : ruleName;
    if (matchName == null || matchName.isEmpty()) {
      return rule;
    }
    return rule + "." + matchName;
  }

  /** Prefix of proxyless gRPC server listener names (Istio's server listener template). */
  public static final String GRPC_SERVER_LISTENER_PREFIX = "xds.istio.io/grpc/lds/inbound/";

  /** Inline route config of a proxyless gRPC server listener. */
  public static final String GRPC_INBOUND_ROUTE_CONFIG = "inbound";

  /** The one virtual host of {@link #GRPC_INBOUND_ROUTE_CONFIG}. */
  public static final String GRPC_INBOUND_VHOST = "inbound";

  /** Filter chain of a proxyless gRPC server listener without TLS. */
  public static final String GRPC_INBOUND_PLAINTEXT_CHAIN = "inbound-plaintext";

  /** Bootstrap cluster of the istio-agent's SDS server (Envoy fetches workload secrets there). */
  public static final String SDS_CLUSTER = "sds-grpc";

  /** SDS secret of the workload's own key and certificate chain. */
  public static final String SDS_DEFAULT_SECRET = "default";

  /** SDS secret of the mesh root certificate(s), for validating peers. */
  public static final String SDS_ROOT_SECRET = "ROOTCA";

  /** Name of the TLS transport socket. */
  public static final String TLS_TRANSPORT_SOCKET = "envoy.transport_sockets.tls";

  /** Name of the plaintext transport socket. */
  public static final String RAW_BUFFER_TRANSPORT_SOCKET = "envoy.transport_sockets.raw_buffer";

  /** The transport socket that sends a PROXY protocol header first (DestinationRule). */
  public static final String UPSTREAM_PROXY_PROTOCOL_TRANSPORT_SOCKET =
      "envoy.transport_sockets.upstream_proxy_protocol";

  /** Endpoint metadata namespace Envoy matches {@code transport_socket_matches} against. */
  public static final String TRANSPORT_SOCKET_MATCH_METADATA = "envoy.transport_socket_match";

  /** Metadata key (and Istio's short label name) of an endpoint's TLS mode. */
  public static final String TLS_MODE_KEY = "tlsMode";

  /** Value of {@link #TLS_MODE_KEY} for endpoints with an Istio sidecar. */
  public static final String TLS_MODE_ISTIO = "istio";

  /** Pod label the injector sets on workloads that terminate Istio mutual TLS. */
  public static final String TLS_MODE_LABEL = "security.istio.io/tlsMode";

  /** Auto-mTLS transport socket match for endpoints with a sidecar. */
  public static final String TLS_MODE_ISTIO_MATCH = TLS_MODE_KEY + "-" + TLS_MODE_ISTIO;

  /** Auto-mTLS fallback transport socket match (plaintext). */
  public static final String TLS_MODE_DISABLED_MATCH = TLS_MODE_KEY + "-disabled";

  /** Filter chain of a proxyless gRPC server listener that requires mutual TLS. */
  public static final String GRPC_INBOUND_MTLS_CHAIN = "inbound-mtls";

  /**
   * The certificate provider instance proxyless gRPC TLS contexts name: the key of grpc's bootstrap
   * {@code certificate_providers} (a {@code file_watcher} over the files istio-agent writes).
   */
  public static final String GRPC_CERTIFICATE_PROVIDER = "default";

  /** Certificate name of the workload identity (key and chain) within that provider instance. */
  public static final String GRPC_IDENTITY_CERTIFICATE = "default";

  /** Certificate name of the trusted roots within that provider instance. */
  public static final String GRPC_ROOT_CERTIFICATE = "ROOTCA";

  /** A workload's SPIFFE identity: {@code spiffe://cluster.local/ns/default/sa/reviews}. */
  public static String spiffeId(String trustDomain, String namespace, String serviceAccount) {
    return "spiffe://" + trustDomain + "/ns/" + namespace + "/sa/" + serviceAccount;
  }

  /** SDS name of a key pair read from files by the istio-agent: {@code file-cert:<cert>~<key>}. */
  public static String fileCertSecret(String certificatePath, String keyPath) {
    return "file-cert:" + certificatePath + "~" + keyPath;
  }

  /**
   * SDS name of CA certificates read from a file by the istio-agent: {@code file-root:<path>}
   * ({@code file-root:system} for the system trust store).
   */
  public static String fileRootSecret(String caPath) {
    return "file-root:" + caPath;
  }

  /** Direction of a service cluster. */
  public enum Direction {
    INBOUND("inbound"),
    OUTBOUND("outbound");

    private final String wire;

    Direction(String wire) {
      this.wire = wire;
    }

    public String wire() {
      return wire;
    }
  }

  /**
   * The parts of a service cluster name {@code dir|port|subset|host}.
   *
   * @param subset {@code ""} for the whole service
   * @param host {@code ""} for inbound clusters
   */
  public record ClusterKey(Direction direction, int port, String subset, String host) {
    public String name() {
      return direction.wire() + "|" + port + "|" + subset + "|" + host;
    }
  }

  /** {@code outbound|9080|v1|reviews.default.svc.cluster.local}; subset may be {@code ""}. */
  public static String outboundCluster(int port, String subset, String host) {
    return new ClusterKey(Direction.OUTBOUND, port, subset, host).name();
  }

  /** {@code inbound|9080||}, keyed by the target (container) port. */
  public static String inboundCluster(int targetPort) {
    return new ClusterKey(Direction.INBOUND, targetPort, "", "").name();
  }

  /** Parses a service cluster name; empty for special clusters and anything malformed. */
  public static Optional<ClusterKey> parseCluster(String name) {
    String[] parts = name.split("\\|", -1);
    if (parts.length != 4) {
      return Optional.empty();
    }
    Direction dir;
    if (parts[0].equals("outbound")) {
      dir = Direction.OUTBOUND;
    } else if (parts[0].equals("inbound")) {
      dir = Direction.INBOUND;
    } else {
      return Optional.empty();
    }
    int port;
    try {
      port = Integer.parseInt(parts[1]);
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
    if (port <= 0 || port > 65535) {
      return Optional.empty();
    }
    return Optional.of(new ClusterKey(dir, port, parts[2], parts[3]));
  }

  /**
   * The service host a proxyless gRPC client's resource name is about: the host of an outbound
   * cluster (also the name of its route configuration) or of a {@code host:port} listener; empty
   * for server-side (inbound) names and anything else.
   */
  public static Optional<String> grpcResourceHost(String name) {
    if (name.startsWith(GRPC_SERVER_LISTENER_PREFIX) || name.equals(GRPC_INBOUND_ROUTE_CONFIG)) {
      return Optional.empty();
    }
    Optional<ClusterKey> cluster = parseCluster(name);
    if (cluster.isPresent()) {
      return cluster.get().host().isEmpty() ? Optional.empty() : Optional.of(cluster.get().host());
    }
    int colon = name.lastIndexOf(':');
    if (colon > 0 && name.indexOf('|') < 0) {
      return Optional.of(name.substring(0, colon));
    }
    return Optional.empty();
  }

  /** Istio's mTLS SNI form {@code outbound_.9080_.v1_.reviews.default.svc.cluster.local}. */
  public static String outboundSni(int port, String subset, String host) {
    return "outbound_." + port + "_." + subset + "_." + host;
  }

  /** Listener named by bind address and port: {@code 0.0.0.0_9080}, {@code 10.96.0.5_9080}. */
  public static String listener(String bind, int port) {
    return bind + "_" + port;
  }

  /** Inbound filter chain per target port: {@code 0.0.0.0_9080}. */
  public static String inboundFilterChain(int targetPort) {
    return inboundFilterChain(WILDCARD_ADDRESS, targetPort);
  }

  /**
   * Inbound filter chain (and listener, when the port binds one) named by its bind address: {@code
   * 10.244.0.10_9080} for a Sidecar ingress port on the pod IP, as Istio names it.
   */
  public static String inboundFilterChain(String bind, int targetPort) {
    return listener(bind, targetPort);
  }

  /** Route config of a shared outbound HTTP listener: {@code "9080"}. */
  public static String httpRouteConfig(int port) {
    return Integer.toString(port);
  }

  /** Virtual host name and route config name of one host and port: {@code host:port}. */
  public static String hostPort(String host, int port) {
    return host + ":" + port;
  }

  /** Inbound HTTP virtual host of one port: {@code inbound|http|9080}. */
  public static String inboundHttpVirtualHost(int port) {
    return "inbound|http|" + port;
  }

  /** The IPv4 wildcard address listeners bind to when they are not tied to one VIP. */
  public static final String WILDCARD_ADDRESS = "0.0.0.0";

  /**
   * Istio's stat-prefix delimiter: stat prefixes end with {@code ;} so dashboards can split them
   * from the stat name.
   */
  public static final String STAT_PREFIX_DELIMITER = ";";

  /** A stat prefix (or cluster {@code alt_stat_name}) as Istio delimits it: {@code name;}. */
  public static String statPrefix(String name) {
    return name + STAT_PREFIX_DELIMITER;
  }

  /**
   * HTTP connection manager stat prefix of an outbound listener: {@code outbound_0.0.0.0_9080;}.
   */
  public static String outboundHttpStatPrefix(String listenerName) {
    return statPrefix("outbound_" + listenerName);
  }

  /** HTTP connection manager stat prefix of an inbound chain: {@code inbound_0.0.0.0_9080;}. */
  public static String inboundHttpStatPrefix(int targetPort) {
    return inboundHttpStatPrefix(WILDCARD_ADDRESS, targetPort);
  }

  /** The same for a chain named by its bind: {@code inbound_10.244.0.10_9080;}. */
  public static String inboundHttpStatPrefix(String bind, int targetPort) {
    return statPrefix("inbound_" + inboundFilterChain(bind, targetPort));
  }

  /**
   * Proxyless gRPC server listener: {@code xds.istio.io/grpc/lds/inbound/10.0.0.1:8080}, IPv6 in
   * brackets ({@code .../inbound/[::1]:8080}) as grpc spells its bound address.
   */
  public static String grpcServerListener(String ip, int port) {
    return GRPC_SERVER_LISTENER_PREFIX + HostAndPort.fromParts(ip, port);
  }

  /**
   * The address of a proxyless gRPC server listener name: the bare IP (no brackets) and port, or
   * empty when the name lacks the prefix, the port, or an IP literal (grpc substitutes its bound
   * IP, never a host name).
   */
  public static Optional<GrpcServerAddress> parseGrpcServerListener(String name) {
    if (!name.startsWith(GRPC_SERVER_LISTENER_PREFIX)) {
      return Optional.empty();
    }
    HostAndPort hp;
    try {
      hp = HostAndPort.fromString(name.substring(GRPC_SERVER_LISTENER_PREFIX.length()));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
    if (!hp.hasPort() || !InetAddresses.isInetAddress(hp.getHost())) {
      return Optional.empty();
    }
    return Optional.of(new GrpcServerAddress(hp.getHost(), hp.getPort()));
  }

  /**
   * Route config of a gateway's plain HTTP servers on one listener port: {@code http.8080}, with
   * {@code .<bind>} when the server binds an address (Istio's {@code gatewayRDSRouteName}).
   */
  public static String gatewayHttpRouteConfig(int listenerPort, String bind) {
    return "http." + listenerPort + bindSuffix(bind);
  }

  /**
   * Route config of one HTTPS server terminating TLS: {@code https.443.https.<gw>.<ns>}, keyed by
   * the server's own port number (not the target port) and port name, as Istio spells it.
   */
  public static String gatewayHttpsRouteConfig(
      int serverPort, String portName, String gateway, String namespace, String bind) {
    return "https."
        + serverPort
        + "."
        + portName
        + "."
        + gateway
        + "."
        + namespace
        + bindSuffix(bind);
  }

  private static String bindSuffix(String bind) {
    return bind == null || bind.isEmpty() ? "" : "." + bind;
  }

  /** Host of the 404 virtual host of a gateway route config no VirtualService binds. */
  public static final String GATEWAY_BLACKHOLE_HOST = "blackhole";

  /** The 404 virtual host of a gateway route config: {@code blackhole:80}. */
  public static String gatewayBlackholeVirtualHost(int serverPort) {
    return hostPort(GATEWAY_BLACKHOLE_HOST, serverPort);
  }

  /** Scheme of SDS secrets istiod serves from Kubernetes Secrets. */
  public static final String KUBERNETES_SECRET_PREFIX = "kubernetes://";

  /** Suffix of the SDS resource holding a credential's CA certificate (client validation). */
  public static final String SDS_CA_SUFFIX = "-cacert";

  /**
   * SDS resource of a gateway {@code credentialName}: {@code kubernetes://<name>}; a name that
   * already carries a scheme ({@code kubernetes://}, {@code kubernetes-gateway://}) is kept.
   */
  public static String credentialSecret(String credentialName) {
    return credentialName.contains("://")
        ? credentialName
        : KUBERNETES_SECRET_PREFIX + credentialName;
  }

  /** SDS resource of a credential's CA: {@code kubernetes://<name>-cacert}. */
  public static String credentialCaSecret(String credentialName) {
    return credentialSecret(credentialName) + SDS_CA_SUFFIX;
  }

  /** The address part of a proxyless gRPC server listener name; {@code ip} without brackets. */
  public record GrpcServerAddress(String ip, int port) {}

  /**
   * A parsed {@code kubernetes://[<namespace>/]<name>} SDS name, or empty for another scheme or an
   * empty name. {@code namespace} is {@code ""} when the name gives none (the proxy's own).
   */
  public static Optional<KubernetesSecretName> parseKubernetesSecret(String sdsName) {
    if (!sdsName.startsWith(KUBERNETES_SECRET_PREFIX)) {
      return Optional.empty();
    }
    String rest = sdsName.substring(KUBERNETES_SECRET_PREFIX.length());
    String namespace = "";
    int slash = rest.indexOf('/');
    if (slash >= 0) {
      namespace = rest.substring(0, slash);
      rest = rest.substring(slash + 1);
      if (namespace.isEmpty() || rest.indexOf('/') >= 0) {
        return Optional.empty();
      }
    }
    if (rest.isEmpty()) {
      return Optional.empty();
    }
    boolean ca = rest.endsWith(SDS_CA_SUFFIX) && rest.length() > SDS_CA_SUFFIX.length();
    return Optional.of(new KubernetesSecretName(namespace, rest, ca));
  }

  /**
   * The parts of a {@code kubernetes://} SDS name.
   *
   * @param namespace the namespace the name states, or {@code ""}
   * @param name the name after the prefix and namespace, with any {@code -cacert} suffix
   * @param caOnly true when {@code name} ends with {@code -cacert}: the CA certificate is wanted
   */
  public record KubernetesSecretName(String namespace, String name, boolean caOnly) {
    /** The Secret holding the CA certificate first: {@code name} without {@code -cacert}. */
    public String baseName() {
      return caOnly ? name.substring(0, name.length() - SDS_CA_SUFFIX.length()) : name;
    }
  }
}
