package dev.meshctl.injector;

/**
 * The label and annotation names the injector reads and writes (Istio's {@code
 * istio.io/api/annotation} and {@code label} names). Constants only.
 */
final class Annotations {
  static final String INJECT = "sidecar.istio.io/inject";
  static final String STATUS = "sidecar.istio.io/status";
  static final String NATIVE_SIDECAR = "sidecar.istio.io/nativeSidecar";
  static final String INTERCEPTION_MODE = "sidecar.istio.io/interceptionMode";
  static final String PROXY_IMAGE = "sidecar.istio.io/proxyImage";
  static final String LOG_LEVEL = "sidecar.istio.io/logLevel";
  static final String COMPONENT_LOG_LEVEL = "sidecar.istio.io/componentLogLevel";
  static final String AGENT_LOG_LEVEL = "sidecar.istio.io/agentLogLevel";
  static final String PROXY_CPU = "sidecar.istio.io/proxyCPU";
  static final String PROXY_MEMORY = "sidecar.istio.io/proxyMemory";
  static final String PROXY_CPU_LIMIT = "sidecar.istio.io/proxyCPULimit";
  static final String PROXY_MEMORY_LIMIT = "sidecar.istio.io/proxyMemoryLimit";
  static final String REWRITE_PROBERS = "sidecar.istio.io/rewriteAppHTTPProbers";
  static final String STATUS_PORT = "status.sidecar.istio.io/port";
  static final String READINESS_INITIAL_DELAY =
      "readiness.status.sidecar.istio.io/initialDelaySeconds";
  static final String READINESS_PERIOD = "readiness.status.sidecar.istio.io/periodSeconds";
  static final String READINESS_FAILURE_THRESHOLD =
      "readiness.status.sidecar.istio.io/failureThreshold";
  static final String INCLUDE_OUTBOUND_IPS = "traffic.sidecar.istio.io/includeOutboundIPRanges";
  static final String EXCLUDE_OUTBOUND_IPS = "traffic.sidecar.istio.io/excludeOutboundIPRanges";
  static final String INCLUDE_INBOUND_PORTS = "traffic.sidecar.istio.io/includeInboundPorts";
  static final String EXCLUDE_INBOUND_PORTS = "traffic.sidecar.istio.io/excludeInboundPorts";
  static final String INCLUDE_OUTBOUND_PORTS = "traffic.sidecar.istio.io/includeOutboundPorts";
  static final String EXCLUDE_OUTBOUND_PORTS = "traffic.sidecar.istio.io/excludeOutboundPorts";
  static final String EXCLUDE_INTERFACES = "traffic.sidecar.istio.io/excludeInterfaces";
  static final String REV = "istio.io/rev";
  static final String NAMESPACE_INJECTION = "istio-injection";
  static final String TLS_MODE = "security.istio.io/tlsMode";
  static final String CANONICAL_NAME = "service.istio.io/canonical-name";
  static final String CANONICAL_REVISION = "service.istio.io/canonical-revision";
  static final String DEFAULT_CONTAINER = "kubectl.kubernetes.io/default-container";
  static final String DEFAULT_LOGS_CONTAINER = "kubectl.kubernetes.io/default-logs-container";
  static final String PROMETHEUS_SCRAPE = "prometheus.io/scrape";
  static final String PROMETHEUS_PORT = "prometheus.io/port";
  static final String PROMETHEUS_PATH = "prometheus.io/path";
  static final String PROMETHEUS_MERGE = "prometheus.istio.io/merge-metrics";

  private Annotations() {}
}
