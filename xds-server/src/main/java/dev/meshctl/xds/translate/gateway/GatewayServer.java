package dev.meshctl.xds.translate.gateway;

import dev.meshctl.crds.decode.IstioConfig;
import dev.meshctl.crds.networking.Common.ServerTlsMode;
import dev.meshctl.crds.networking.Gateway.Server;
import dev.meshctl.xds.model.Protocol;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One {@code servers[]} entry of a Gateway as a gateway proxy listens for it. Immutable.
 *
 * @param gateway the Gateway config the server comes from
 * @param server the server spec
 * @param listenerPort the port the proxy listens on: the gateway Service's target port for the
 *     server's port when the Service is known, else the server's port
 * @param routeName the RDS route config of an HTTP server, {@code ""} for TCP/TLS servers
 */
public record GatewayServer(
    IstioConfig gateway, Server server, int listenerPort, String routeName) {

  /** The protocol of the server's port ({@code HTTP}, {@code HTTPS}, {@code TCP}, ...). */
  public Protocol protocol() {
    return Protocol.parse(server.port().protocol());
  }

  /** The server's TLS mode, or {@code null} without {@code tls}. */
  public ServerTlsMode tlsMode() {
    if (server.tls() == null) {
      return null;
    }
    return server.tls().mode() == null ? ServerTlsMode.SIMPLE : server.tls().mode();
  }

  /** Istio's {@code IsTLSServer}: {@code tls} set on a non-HTTP port. */
  public boolean tlsServer() {
    return server.tls() != null && !protocol().isHttp();
  }

  /** PASSTHROUGH or AUTO_PASSTHROUGH: the proxy forwards TLS without terminating it. */
  public boolean passthrough() {
    ServerTlsMode m = tlsMode();
    return m == ServerTlsMode.PASSTHROUGH || m == ServerTlsMode.AUTO_PASSTHROUGH;
  }

  /** AUTO_PASSTHROUGH: the upstream cluster is the one the client's SNI names. */
  public boolean autoPassthrough() {
    return tlsMode() == ServerTlsMode.AUTO_PASSTHROUGH;
  }

  /** Istio's {@code IsHTTPServer}: plain HTTP, or HTTPS terminated here. */
  public boolean httpServer() {
    return protocol().isHttp()
        || (protocol() == Protocol.HTTPS && server.tls() != null && !passthrough());
  }

  /** The bind address, {@code ""} when unset. */
  public String bind() {
    return server.bind() == null ? "" : server.bind();
  }

  /** {@code ns/name} of the Gateway. */
  public String gatewayName() {
    return gateway.namespace() + "/" + gateway.name();
  }

  /** The hosts without their {@code ns/} restriction: what SNI and domains match. */
  public List<String> plainHosts() {
    List<String> out = new ArrayList<>();
    for (String h : server.hosts()) {
      int slash = h.indexOf('/');
      String plain = (slash >= 0 ? h.substring(slash + 1) : h).toLowerCase(Locale.ROOT);
      if (!out.contains(plain)) {
        out.add(plain);
      }
    }
    return out;
  }

  /** How the server names itself in messages: {@code gateway default/gw server https (443)}. */
  public String what() {
    String name = server.port().name() == null ? "" : server.port().name();
    return "gateway "
        + gatewayName()
        + " server "
        + name
        + " (port "
        + server.port().number()
        + ", "
        + server.port().protocol()
        + ")";
  }
}
