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
    return listener("0.0.0.0", targetPort);
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
    return statPrefix("inbound_" + inboundFilterChain(targetPort));
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

  /** The address part of a proxyless gRPC server listener name; {@code ip} without brackets. */
  public record GrpcServerAddress(String ip, int port) {}
}
