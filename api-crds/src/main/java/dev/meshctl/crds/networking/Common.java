package dev.meshctl.crds.networking;

import dev.meshctl.crds.Required;
import dev.meshctl.crds.Unsigned;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Messages shared by several networking kinds. All records are immutable; {@code null} means the
 * field was absent; lists and maps from the decoder are never {@code null} (empty when absent).
 */
public final class Common {
  private Common() {}

  /** A percentage in [0, 100] ({@code Percent}). */
  public record Percent(Double value) {}

  /** Selects a port of a service by number ({@code PortSelector}). */
  public record PortSelector(@Unsigned Integer number) {}

  /** A destination service, optional subset and port ({@code Destination}). */
  public record Destination(@Required String host, String subset, PortSelector port) {}

  /** Labels that select workloads in the config's namespace ({@code WorkloadSelector}). */
  public record WorkloadSelector(Map<String, String> labels) {}

  /** The {@code type.v1beta1.WorkloadSelector} used by DestinationRule: {@code matchLabels}. */
  public record MatchLabelsSelector(Map<String, String> matchLabels) {}

  /**
   * A port of a Gateway server, ServiceEntry or Sidecar listener ({@code Port}/{@code
   * ServicePort}/{@code SidecarPort}).
   */
  public record Port(
      @Unsigned Integer number, String protocol, String name, @Unsigned Integer targetPort) {}

  /** Header edits for requests and responses ({@code Headers}). */
  public record Headers(HeaderOperations request, HeaderOperations response) {}

  /** Set, add and remove header operations ({@code Headers.HeaderOperations}). */
  public record HeaderOperations(
      Map<String, String> set, Map<String, String> add, List<String> remove) {}

  /** Connection pool limits for TCP and HTTP ({@code ConnectionPoolSettings}). */
  public record ConnectionPoolSettings(TcpSettings tcp, HttpSettings http) {}

  /** TCP pool settings ({@code ConnectionPoolSettings.TCPSettings}). */
  public record TcpSettings(
      Integer maxConnections,
      Duration connectTimeout,
      TcpKeepalive tcpKeepalive,
      Duration maxConnectionDuration,
      Duration idleTimeout) {}

  /** TCP keepalive ({@code TCPSettings.TcpKeepalive}). */
  public record TcpKeepalive(@Unsigned Integer probes, Duration time, Duration interval) {}

  /** HTTP pool settings ({@code ConnectionPoolSettings.HTTPSettings}). */
  public record HttpSettings(
      Integer http1MaxPendingRequests,
      Integer http2MaxRequests,
      Integer maxRequestsPerConnection,
      Integer maxRetries,
      Duration idleTimeout,
      H2UpgradePolicy h2UpgradePolicy,
      Boolean useClientProtocol,
      Integer maxConcurrentStreams,
      Http2KeepAlive http2KeepAlive) {}

  /** HTTP/2 keepalive pings ({@code HTTPSettings.Http2KeepAlive}). */
  public record Http2KeepAlive(Duration interval, Duration timeout) {}

  /** Whether HTTP/1.1 connections are upgraded to HTTP/2. */
  public enum H2UpgradePolicy {
    DEFAULT,
    DO_NOT_UPGRADE,
    UPGRADE
  }

  /**
   * TLS settings of a server (Gateway server, Sidecar ingress listener): {@code ServerTLSSettings}.
   */
  public record ServerTlsSettings(
      Boolean httpsRedirect,
      ServerTlsMode mode,
      String serverCertificate,
      String privateKey,
      String caCertificates,
      String caCrl,
      String credentialName,
      List<String> credentialNames,
      List<TlsCertificate> tlsCertificates,
      List<String> subjectAltNames,
      List<String> verifyCertificateSpki,
      List<String> verifyCertificateHash,
      TlsProtocol minProtocolVersion,
      TlsProtocol maxProtocolVersion,
      List<String> cipherSuites,
      List<String> ecdhCurves,
      Boolean insecureSkipVerify,
      String caCertCredentialName) {}

  /** One server certificate ({@code ServerTLSSettings.TLSCertificate}). */
  public record TlsCertificate(
      String serverCertificate, String privateKey, String caCertificates) {}

  /** Server TLS modes. */
  public enum ServerTlsMode {
    PASSTHROUGH,
    SIMPLE,
    MUTUAL,
    AUTO_PASSTHROUGH,
    ISTIO_MUTUAL,
    OPTIONAL_MUTUAL
  }

  /** TLS protocol versions. */
  public enum TlsProtocol {
    TLS_AUTO,
    TLSV1_0,
    TLSV1_1,
    TLSV1_2,
    TLSV1_3
  }
}
