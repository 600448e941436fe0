package dev.meshctl.xds.model.decode;

import java.util.Set;

/**
 * The names of Istio MeshConfig fields {@link MeshConfigDecoder} does not read, sorted by what it
 * tells the user about them: nothing (no effect on what we generate), or a warning that the field
 * is not supported yet. Anything else it does not read is an unknown field. Constants only.
 */
final class MeshConfigFields {
  private MeshConfigFields() {}

  /** Istio fields that do not change what we generate (proxy agent, telemetry, CA plumbing). */
  static final Set<String> NO_EFFECT =
      Set.of(
          "accessLogEncoding",
          "accessLogFile",
          "accessLogFormat",
          "ca",
          "caCertificates",
          "certificates",
          "defaultProviders",
          "disableEnvoyListenerLog",
          "enableEnvoyAccessLogService",
          "enablePrometheusMerge",
          "enableTracing",
          "extensionProviders",
          "ingressSelector",
          "ingressService",
          "proxyHttpPort",
          "proxyListenPort",
          "proxyInboundListenPort",
          "sdsUdsPath",
          "trustDomainAliases",
          "verifyCertificateAtClient");

  /** Istio fields that would change generated config but are not implemented: warned about. */
  static final Set<String> NOT_SUPPORTED =
      Set.of(
          "inboundClusterStatName",
          "meshMTLS",
          "outboundClusterStatName",
          "serviceSettings",
          "tlsDefaults");

  /** ProxyConfig ({@code defaultConfig}) fields: read by the proxy's agent, not by us. */
  static final Set<String> PROXY_CONFIG =
      Set.of(
          "binaryPath",
          "caCertificatesPem",
          "clusterName",
          "concurrency",
          "configPath",
          "controlPlaneAuthPolicy",
          "customConfigFile",
          "discoveryAddress",
          "drainDuration",
          "envoyAccessLogService",
          "envoyMetricsService",
          "extraStatTags",
          "gatewayTopology",
          "holdApplicationUntilProxyStarts",
          "image",
          "interceptionMode",
          "meshId",
          "parentShutdownDuration",
          "privateKeyProvider",
          "proxyAdminPort",
          "proxyBootstrapTemplatePath",
          "proxyMetadata",
          "proxyStatsMatcher",
          "readinessProbe",
          "runtimeValues",
          "sds",
          "serviceCluster",
          "statNameLength",
          "statsdUdpAddress",
          "statusPort",
          "terminationDrainDuration",
          "tracing");
}
