package dev.meshctl.xds.model;

/**
 * Control plane settings that change generated config but are not part of the mesh config: Istio
 * sets them as istiod environment variables ({@code PILOT_*}). They travel in the {@link
 * MeshSnapshot} so translation stays a pure function of it. Immutable.
 *
 * @param scopeGatewayToNamespace Istio's {@code PILOT_SCOPE_GATEWAY_TO_NAMESPACE}: a Gateway
 *     selects only gateway workloads of its own namespace (default false: any namespace)
 */
public record PilotFeatures(boolean scopeGatewayToNamespace) {
  /** Istio's defaults. */
  public static final PilotFeatures DEFAULT = new PilotFeatures(false);
}
