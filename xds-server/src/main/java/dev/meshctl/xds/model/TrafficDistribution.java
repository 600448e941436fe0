package dev.meshctl.xds.model;

import java.util.Locale;
import java.util.Map;

/**
 * A service's preference for nearby endpoints: Kubernetes' {@code spec.trafficDistribution}, else
 * Istio's {@value #ANNOTATION} annotation (on a Service or a ServiceEntry). Istio turns a
 * preference into locality failover that needs no outlier detection.
 */
public enum TrafficDistribution {
  /** No preference (the default). */
  ANY,
  /** {@code PreferClose} or {@code PreferSameZone}: same zone, then region, then the rest. */
  PREFER_SAME_ZONE,
  /** {@code PreferSameNode}: same node, then subzone, zone, region, then the rest. */
  PREFER_SAME_NODE;

  /** Istio's annotation, for clusters whose API server lacks the field, and for ServiceEntries. */
  public static final String ANNOTATION = "networking.istio.io/traffic-distribution";

  /**
   * The preference of a spec value ({@code null} when unset) and the object's annotations, as Istio
   * reads them: a known spec value wins; otherwise the annotation (case-insensitive; an unknown
   * value means {@link #ANY}).
   */
  public static TrafficDistribution of(String specValue, Map<String, String> annotations) {
    if (specValue != null) {
      TrafficDistribution fromSpec = parse(specValue);
      if (fromSpec != ANY) {
        return fromSpec;
      }
    }
    String annotation = annotations.getOrDefault(ANNOTATION, "");
    return annotation.isEmpty() ? ANY : parse(annotation.toLowerCase(Locale.ROOT));
  }

  private static TrafficDistribution parse(String value) {
    return switch (value) {
      case "PreferClose", "PreferSameZone", "preferclose", "prefersamezone" -> PREFER_SAME_ZONE;
      case "PreferSameNode", "prefersamenode" -> PREFER_SAME_NODE;
      default -> ANY;
    };
  }
}
