package dev.meshctl.crds.validation;

import dev.meshctl.crds.networking.Common.ConnectionPoolSettings;
import dev.meshctl.crds.networking.DestinationRule.OutlierDetection;
import dev.meshctl.crds.networking.VirtualService.HttpRetry;

/**
 * Istio's rules for the parts of a mesh config that are Istio API messages (a retry policy, a
 * connection pool, outlier detection): the same rules as in a VirtualService or DestinationRule,
 * reported with the mesh config's field paths and resource {@code ""}. Stateless.
 */
public final class MeshConfigRules {
  private MeshConfigRules() {}

  /** {@code defaultHttpRetryPolicy}. */
  public static ValidationReport retry(String path, HttpRetry retry) {
    Findings f = new Findings("");
    HttpRouteRules.retries(f, path, retry, VirtualServiceRules.RETRY_ON);
    return f.report();
  }

  /** {@code defaultTrafficPolicy.connectionPool} or {@code tcpKeepalive} (as a pool's tcp). */
  public static ValidationReport connectionPool(String path, ConnectionPoolSettings pool) {
    Findings f = new Findings("");
    DestinationRuleRules.pool(f, path, pool);
    return f.report();
  }

  /** {@code defaultTrafficPolicy.outlierDetection}. */
  public static ValidationReport outlierDetection(String path, OutlierDetection outlier) {
    Findings f = new Findings("");
    DestinationRuleRules.outlier(f, path, outlier);
    return f.report();
  }
}
