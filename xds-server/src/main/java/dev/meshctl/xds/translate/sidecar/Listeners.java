package dev.meshctl.xds.translate.sidecar;

import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import java.util.List;

/** Small listener-building helpers shared by the inbound and outbound translators. */
final class Listeners {
  /** ALPN values the HTTP inspector sets for plaintext HTTP/1.1 and HTTP/2 (Istio drops 1.0). */
  static final List<String> PLAINTEXT_HTTP_ALPNS = List.of("http/1.1", "h2c");

  /** Transport protocol of connections the TLS inspector found not to be TLS. */
  static final String RAW_BUFFER = "raw_buffer";

  /**
   * Istio's {@code max_connections_to_accept_per_socket_event} on listeners that bind a real socket
   * (the only ones that accept from the OS): one connection per event spreads them over workers.
   */
  static final int MAX_CONNECTIONS_PER_SOCKET_EVENT = 1;

  private Listeners() {}

  static Address address(String ip, int port) {
    return Address.newBuilder()
        .setSocketAddress(SocketAddress.newBuilder().setAddress(ip).setPortValue(port))
        .build();
  }
}
