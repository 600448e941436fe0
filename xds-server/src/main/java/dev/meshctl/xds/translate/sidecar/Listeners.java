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

  private Listeners() {}

  static Address address(String ip, int port) {
    return Address.newBuilder()
        .setSocketAddress(SocketAddress.newBuilder().setAddress(ip).setPortValue(port))
        .build();
  }
}
