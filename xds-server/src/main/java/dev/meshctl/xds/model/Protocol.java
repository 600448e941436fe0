package dev.meshctl.xds.model;

import java.util.Locale;

/**
 * The application protocol of a service port, selected the way Istio does: {@code appProtocol}
 * first, then the port name's prefix ({@code http-web}, {@code grpc}, ...). A port that names no
 * protocol is {@link #UNSUPPORTED}, which Istio treats as "auto-detect" (HTTP sniffing plus TCP).
 */
public enum Protocol {
  HTTP,
  HTTP2,
  GRPC,
  GRPC_WEB,
  HTTPS,
  TLS,
  TCP,
  MONGO,
  REDIS,
  MYSQL,
  UDP,
  /** Nothing declared: Istio sniffs HTTP on such ports and falls back to TCP. */
  UNSUPPORTED;

  /** True for protocols whose traffic goes through the HTTP connection manager. */
  public boolean isHttp() {
    return this == HTTP || this == HTTP2 || this == GRPC || this == GRPC_WEB;
  }

  /** True for protocols served by TCP proxying (including TLS passthrough). */
  public boolean isTcp() {
    return this == HTTPS
        || this == TLS
        || this == TCP
        || this == MONGO
        || this == REDIS
        || this == MYSQL;
  }

  /**
   * Parses one protocol name as Istio accepts it (case-insensitive); {@link #UNSUPPORTED} when the
   * name is unknown.
   */
  public static Protocol parse(String value) {
    if (value == null) {
      return UNSUPPORTED;
    }
    return switch (value.toLowerCase(Locale.ROOT)) {
      case "http", "http1", "http/1.1" -> HTTP;
      case "http2", "h2c", "kubernetes.io/h2c" -> HTTP2;
      case "grpc" -> GRPC;
      case "grpc-web" -> GRPC_WEB;
      case "https" -> HTTPS;
      case "tls" -> TLS;
      case "tcp" -> TCP;
      case "mongo" -> MONGO;
      case "redis" -> REDIS;
      case "mysql" -> MYSQL;
      case "udp" -> UDP;
      default -> UNSUPPORTED;
    };
  }

  /**
   * The protocol of a Kubernetes service port: {@code appProtocol} wins, then the port name's
   * prefix before the first {@code -}, then the transport (UDP); otherwise {@link #UNSUPPORTED}.
   */
  public static Protocol ofServicePort(String portName, String appProtocol, String transport) {
    if ("UDP".equalsIgnoreCase(transport)) {
      return UDP;
    }
    Protocol fromApp = parse(appProtocol);
    if (fromApp != UNSUPPORTED) {
      return fromApp;
    }
    if (portName == null || portName.isEmpty()) {
      return UNSUPPORTED;
    }
    int dash = portName.indexOf('-');
    return parse(dash < 0 ? portName : portName.substring(0, dash));
  }
}
