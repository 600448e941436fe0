package dev.meshctl.xds.translate.sidecar;

import dev.meshctl.xds.model.MtlsMode;
import java.util.List;

/**
 * The filter chains one inbound port gets for its mutual-TLS mode and protocol, as Istio lays them
 * out ({@code filterchain_options.go}): each option is one chain, matched on transport protocol
 * ({@code tls} from the TLS inspector, else {@code raw_buffer}) and ALPN, serving HTTP or TCP, and
 * terminating Istio mTLS or not. STRICT has only TLS chains, DISABLE only plaintext ones,
 * PERMISSIVE both plus a chain passing plain (non-Istio) TLS through as TCP. Stateless; any thread.
 *
 * @param alpns ALPN values to match; empty matches any
 * @param transport {@code tls} or {@code raw_buffer}
 * @param http true for an HTTP connection manager chain, false for tcp_proxy
 * @param mtls true when the chain terminates Istio mutual TLS
 */
record InboundChainOptions(List<String> alpns, String transport, boolean http, boolean mtls) {
  /** ALPN an Istio client sets on mTLS after sniffing HTTP on its outbound side. */
  static final List<String> MTLS_HTTP_ALPNS =
      List.of("istio-http/1.0", "istio-http/1.1", "istio-h2");

  /** ALPN an Istio client sets on mTLS for TCP (with metadata exchange). */
  static final List<String> MTLS_TCP_ALPNS = List.of("istio-peer-exchange", "istio");

  /** Every ALPN an Istio client may set on mTLS. */
  static final List<String> ALL_ISTIO_MTLS_ALPNS =
      List.of("istio", "istio-peer-exchange", "istio-http/1.0", "istio-http/1.1", "istio-h2");

  /** Transport protocol the TLS inspector sets for TLS connections. */
  static final String TLS = "tls";

  private static final String RAW = Listeners.RAW_BUFFER;
  private static final List<String> ANY = List.of();
  private static final List<String> PLAIN_HTTP = Listeners.PLAINTEXT_HTTP_ALPNS;

  /** The chain options of a port, in Istio's order. {@code protocol} is never NONE. */
  static List<InboundChainOptions> of(MtlsMode mode, ListenerProtocol protocol) {
    return switch (protocol) {
      case HTTP ->
          switch (mode) {
            case STRICT -> List.of(new InboundChainOptions(ANY, TLS, true, true));
            case PERMISSIVE ->
                List.of(
                    new InboundChainOptions(ALL_ISTIO_MTLS_ALPNS, TLS, true, true),
                    new InboundChainOptions(ANY, RAW, true, false));
            default -> List.of(new InboundChainOptions(ANY, RAW, true, false));
          };
      case AUTO ->
          switch (mode) {
            case STRICT ->
                List.of(
                    new InboundChainOptions(MTLS_HTTP_ALPNS, TLS, true, true),
                    new InboundChainOptions(ANY, TLS, false, true));
            case PERMISSIVE ->
                List.of(
                    new InboundChainOptions(MTLS_HTTP_ALPNS, TLS, true, true),
                    new InboundChainOptions(PLAIN_HTTP, RAW, true, false),
                    new InboundChainOptions(MTLS_TCP_ALPNS, TLS, false, true),
                    new InboundChainOptions(ANY, RAW, false, false),
                    new InboundChainOptions(ANY, TLS, false, false));
            default ->
                List.of(
                    new InboundChainOptions(PLAIN_HTTP, RAW, true, false),
                    new InboundChainOptions(ANY, RAW, false, false));
          };
      case TCP, NONE ->
          switch (mode) {
            case STRICT -> List.of(new InboundChainOptions(ANY, TLS, false, true));
            case PERMISSIVE ->
                List.of(
                    new InboundChainOptions(ALL_ISTIO_MTLS_ALPNS, TLS, false, true),
                    new InboundChainOptions(ANY, TLS, false, false),
                    new InboundChainOptions(ANY, RAW, false, false));
            default -> List.of(new InboundChainOptions(ANY, RAW, false, false));
          };
    };
  }
}
