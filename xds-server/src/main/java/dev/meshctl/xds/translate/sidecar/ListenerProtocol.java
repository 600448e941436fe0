package dev.meshctl.xds.translate.sidecar;

import dev.meshctl.xds.model.Protocol;

/**
 * How a port's traffic is handled by a sidecar, Istio's three-way split of a service protocol:
 * through the HTTP connection manager, through {@code tcp_proxy}, or sniffed (HTTP inspector picks
 * between an HTTP and a TCP chain). UDP gets no listener at all.
 */
enum ListenerProtocol {
  HTTP,
  TCP,
  /** Nothing declared: sniff HTTP, fall back to TCP. */
  AUTO,
  /** Not served by a sidecar listener (UDP). */
  NONE;

  static ListenerProtocol of(Protocol protocol) {
    if (protocol.isHttp()) {
      return HTTP;
    }
    if (protocol.isTcp()) {
      return TCP;
    }
    return protocol == Protocol.UNSUPPORTED ? AUTO : NONE;
  }

  /** Istio's {@code IsHTTP2}: the upstream (and inbound codec) speaks HTTP/2 only. */
  static boolean isHttp2(Protocol protocol) {
    return protocol == Protocol.HTTP2 || protocol == Protocol.GRPC || protocol == Protocol.GRPC_WEB;
  }
}
