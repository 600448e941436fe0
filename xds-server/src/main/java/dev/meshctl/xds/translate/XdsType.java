package dev.meshctl.xds.translate;

import java.util.Optional;

/**
 * The xDS resource types we serve, in Istio's push order (CDS, EDS, LDS, RDS, SDS): a cluster must
 * be known before its endpoints, and a listener before its routes. Secrets (SDS) come last, as in
 * Istio's {@code PushOrder}; Envoy waits for a listener's secrets before warming it.
 */
public enum XdsType {
  CLUSTER("type.googleapis.com/envoy.config.cluster.v3.Cluster", "cds", true),
  ENDPOINT("type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment", "eds", false),
  LISTENER("type.googleapis.com/envoy.config.listener.v3.Listener", "lds", true),
  ROUTE("type.googleapis.com/envoy.config.route.v3.RouteConfiguration", "rds", false),
  SECRET("type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret", "sds", false);

  private final String typeUrl;
  private final String shortName;
  private final boolean wildcardByDefault;

  XdsType(String typeUrl, String shortName, boolean wildcardByDefault) {
    this.typeUrl = typeUrl;
    this.shortName = shortName;
    this.wildcardByDefault = wildcardByDefault;
  }

  public String typeUrl() {
    return typeUrl;
  }

  /**
   * {@code cds}, {@code eds}, {@code lds}, {@code rds}, {@code sds}: as in metric labels and golden
   * files.
   */
  public String shortName() {
    return shortName;
  }

  /**
   * True for the types (CDS, LDS) where a request with no names means "everything" (a wildcard
   * subscription), per the xDS protocol.
   */
  public boolean wildcardByDefault() {
    return wildcardByDefault;
  }

  public static Optional<XdsType> fromTypeUrl(String typeUrl) {
    for (XdsType t : values()) {
      if (t.typeUrl.equals(typeUrl)) {
        return Optional.of(t);
      }
    }
    return Optional.empty();
  }
}
