package dev.meshctl.crds.networking;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meshctl.crds.Inline;
import dev.meshctl.crds.networking.Common.WorkloadSelector;
import dev.meshctl.crds.security.PolicyTargetReference;
import java.util.List;
import java.util.Map;

/**
 * The spec of a {@code networking.istio.io/v1alpha3} EnvoyFilter: patches applied to the Envoy
 * config generated for the selected workloads. Immutable; {@code null} means absent; decoded lists
 * are never {@code null}. A patch's {@code value} is kept as the JSON the user wrote (Envoy's proto
 * JSON), read against the Envoy type its {@code applyTo} implies when applied.
 */
public record EnvoyFilter(
    WorkloadSelector workloadSelector,
    List<PolicyTargetReference> targetRefs,
    List<EnvoyConfigObjectPatch> configPatches,
    Integer priority)
    implements NetworkingSpec {

  /** One patch: where ({@code applyTo}, {@code match}) and what ({@code patch}). */
  public record EnvoyConfigObjectPatch(
      ApplyTo applyTo, EnvoyConfigObjectMatch match, Patch patch) {}

  /** The kind of Envoy object a patch applies to. */
  public enum ApplyTo {
    INVALID,
    LISTENER,
    FILTER_CHAIN,
    NETWORK_FILTER,
    HTTP_FILTER,
    ROUTE_CONFIGURATION,
    VIRTUAL_HOST,
    HTTP_ROUTE,
    CLUSTER,
    EXTENSION_CONFIG,
    BOOTSTRAP,
    LISTENER_FILTER
  }

  /**
   * Which objects a patch applies to; every criterion set must hold. At most one object-kind match
   * ({@code listener}, {@code routeConfiguration}, {@code cluster}, {@code waypoint}).
   */
  public record EnvoyConfigObjectMatch(
      PatchContext context, ProxyMatch proxy, @Inline ObjectTypes objectTypes) {

    /** The listener match, or {@code null}. */
    public ListenerMatch listener() {
      return objectTypes instanceof ListenerObject l ? l.listener() : null;
    }

    /** The route configuration match, or {@code null}. */
    public RouteConfigurationMatch routeConfiguration() {
      return objectTypes instanceof RouteConfigurationObject r ? r.routeConfiguration() : null;
    }

    /** The cluster match, or {@code null}. */
    public ClusterMatch cluster() {
      return objectTypes instanceof ClusterObject c ? c.cluster() : null;
    }
  }

  /** The object-kind match of a patch (Istio's {@code objectTypes} oneof). */
  public sealed interface ObjectTypes
      permits ListenerObject, RouteConfigurationObject, ClusterObject, WaypointObject {}

  /** A listener match. */
  public record ListenerObject(ListenerMatch listener) implements ObjectTypes {}

  /** A route configuration match. */
  public record RouteConfigurationObject(RouteConfigurationMatch routeConfiguration)
      implements ObjectTypes {}

  /** A cluster match. */
  public record ClusterObject(ClusterMatch cluster) implements ObjectTypes {}

  /** A waypoint match (ambient; not generated here). */
  public record WaypointObject(WaypointMatch waypoint) implements ObjectTypes {}

  /** Where in the generated config: sidecar inbound or outbound, gateway, or anywhere. */
  public enum PatchContext {
    ANY,
    SIDECAR_INBOUND,
    SIDECAR_OUTBOUND,
    GATEWAY,
    /** Ambient waypoints, which we do not generate for: such patches are ignored. */
    WAYPOINT
  }

  /** Proxies by Istio version (a regex) and node metadata. */
  public record ProxyMatch(String proxyVersion, Map<String, String> metadata) {}

  /** Listeners by port, name and filter chain. */
  public record ListenerMatch(
      Integer portNumber,
      String portName,
      FilterChainMatch filterChain,
      String listenerFilter,
      String name) {}

  /** Filter chains by name, SNI, transport, ALPN, destination port and filter. */
  public record FilterChainMatch(
      String name,
      String sni,
      String transportProtocol,
      String applicationProtocols,
      FilterMatch filter,
      Integer destinationPort,
      String transportSocket) {}

  /** A network filter by name, and optionally an HTTP filter inside it. */
  public record FilterMatch(String name, SubFilterMatch subFilter) {}

  /** An HTTP filter by name. */
  public record SubFilterMatch(String name) {}

  /** Route configurations by port, gateway, name and virtual host. */
  public record RouteConfigurationMatch(
      Integer portNumber, String portName, String gateway, VirtualHostMatch vhost, String name) {}

  /** Virtual hosts by name or domain, and optionally a route in them. */
  public record VirtualHostMatch(String name, RouteMatch route, String domainName) {}

  /** Routes by name and action. */
  public record RouteMatch(String name, Action action) {}

  /** A route's action kind. */
  public enum Action {
    ANY,
    ROUTE,
    REDIRECT,
    DIRECT_RESPONSE
  }

  /** Ambient waypoint objects (not generated here). */
  public record WaypointMatch(FilterMatch filter, Integer portNumber, WaypointRouteMatch route) {}

  /** A waypoint route by name. */
  public record WaypointRouteMatch(String name) {}

  /** Clusters by port, service host, subset or name. */
  public record ClusterMatch(Integer portNumber, String service, String subset, String name) {}

  /** The operation and the value it applies. */
  public record Patch(Operation operation, JsonNode value, FilterClass filterClass) {}

  /** What a patch does. */
  public enum Operation {
    INVALID,
    MERGE,
    ADD,
    REMOVE,
    INSERT_BEFORE,
    INSERT_AFTER,
    INSERT_FIRST,
    REPLACE,
    /** MERGE, but lists in the value replace the object's lists instead of appending. */
    MERGE_AND_REPLACE_LIST
  }

  /** Where Istio places an added HTTP filter relative to its own (authn, authz, stats). */
  public enum FilterClass {
    UNSPECIFIED,
    AUTHN,
    AUTHZ,
    STATS
  }
}
