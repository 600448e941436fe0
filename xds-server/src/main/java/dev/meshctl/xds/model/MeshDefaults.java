package dev.meshctl.xds.model;

import dev.meshctl.crds.networking.Common.ConnectionPoolSettings;
import dev.meshctl.crds.networking.Common.TcpKeepalive;
import dev.meshctl.crds.networking.DestinationRule.OutlierDetection;
import dev.meshctl.crds.networking.VirtualService.HttpRetry;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * The mesh config's defaults for what Istio resources leave unset (Istio's MeshConfig fields of the
 * same names). Immutable; {@link #DEFAULT} holds Istio's defaults.
 *
 * @param defaultHttpRetryPolicy the retry policy of HTTP routes whose VirtualService sets none (and
 *     of routes without a VirtualService); {@code null}: Istio's built-in policy
 * @param h2Upgrade {@code h2UpgradePolicy: UPGRADE}: HTTP/1.1 clusters of HTTP ports talk HTTP/2
 *     upstream unless a DestinationRule says {@code DO_NOT_UPGRADE}
 * @param connectionPool {@code defaultTrafficPolicy.connectionPool}, for clusters whose
 *     DestinationRule policy sets none, or {@code null}
 * @param outlierDetection {@code defaultTrafficPolicy.outlierDetection}, likewise, or {@code null}
 * @param serviceExportTo {@code defaultServiceExportTo}; empty: everywhere
 * @param virtualServiceExportTo {@code defaultVirtualServiceExportTo}; empty: everywhere
 * @param destinationRuleExportTo {@code defaultDestinationRuleExportTo}; empty: everywhere
 * @param tcpKeepalive {@code tcpKeepalive} of outbound clusters a DestinationRule does not set, or
 *     {@code null}
 * @param dnsRefreshRate {@code dnsRefreshRate} of DNS clusters (60 s)
 * @param protocolDetectionTimeout {@code protocolDetectionTimeout} of listeners that sniff the
 *     protocol (0: no timeout)
 */
public record MeshDefaults(
    HttpRetry defaultHttpRetryPolicy,
    boolean h2Upgrade,
    ConnectionPoolSettings connectionPool,
    OutlierDetection outlierDetection,
    List<String> serviceExportTo,
    List<String> virtualServiceExportTo,
    List<String> destinationRuleExportTo,
    TcpKeepalive tcpKeepalive,
    Duration dnsRefreshRate,
    Duration protocolDetectionTimeout) {

  public static final MeshDefaults DEFAULT =
      new MeshDefaults(
          null,
          false,
          null,
          null,
          List.of(),
          List.of(),
          List.of(),
          null,
          Duration.ofSeconds(60),
          Duration.ZERO);

  public MeshDefaults {
    serviceExportTo = List.copyOf(serviceExportTo);
    virtualServiceExportTo = List.copyOf(virtualServiceExportTo);
    destinationRuleExportTo = List.copyOf(destinationRuleExportTo);
    Objects.requireNonNull(dnsRefreshRate, "dnsRefreshRate");
    Objects.requireNonNull(protocolDetectionTimeout, "protocolDetectionTimeout");
  }
}
