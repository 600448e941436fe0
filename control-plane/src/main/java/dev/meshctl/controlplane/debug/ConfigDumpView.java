package dev.meshctl.controlplane.debug;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import dev.meshctl.xds.server.ProxyConfigDump;
import dev.meshctl.xds.server.ProxyConfigDump.TypeDump;
import dev.meshctl.xds.translate.XdsType;
import dev.meshctl.xds.validate.ResourceValidator.Violation;
import io.envoyproxy.envoy.admin.v3.ClustersConfigDump;
import io.envoyproxy.envoy.admin.v3.ConfigDump;
import io.envoyproxy.envoy.admin.v3.EndpointsConfigDump;
import io.envoyproxy.envoy.admin.v3.ListenersConfigDump;
import io.envoyproxy.envoy.admin.v3.RoutesConfigDump;
import io.envoyproxy.envoy.admin.v3.SecretsConfigDump;
import io.envoyproxy.envoy.admin.v3.UpdateFailureState;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The {@code /debug/config_dump} document: an Envoy admin {@code ConfigDump} ({@code configs}:
 * clusters, listeners, routes, endpoints, always in that order and all four, empty when the proxy
 * did not subscribe; then secrets, only when the proxy subscribed to SDS, private keys redacted)
 * built from a {@link ProxyConfigDump}, printed as proto JSON with Envoy's snake_case field names
 * and {@code @type} on every {@code Any}, so istioctl-style tools and {@code meshctl proxy-config}
 * read it alike. Resources refused by validation (never sent) and generator failures appear as
 * entries with an {@code error_state} whose {@code details} say so. Resources are sorted by name.
 * Stateless; any thread.
 */
final class ConfigDumpView {
  private ConfigDumpView() {}

  static String render(ProxyConfigDump dump) throws InvalidProtocolBufferException {
    ConfigDump configDump = build(dump);
    JsonFormat.TypeRegistry registry = EnvoyTypes.registryFor(List.of(configDump));
    return JsonFormat.printer()
            .usingTypeRegistry(registry)
            .preservingProtoFieldNames()
            .print(configDump)
        + "\n";
  }

  static ConfigDump build(ProxyConfigDump dump) {
    Map<XdsType, TypeDump> types = dump.types();
    ConfigDump.Builder b =
        ConfigDump.newBuilder()
            .addConfigs(Any.pack(clusters(types.get(XdsType.CLUSTER))))
            .addConfigs(Any.pack(listeners(types.get(XdsType.LISTENER))))
            .addConfigs(Any.pack(routes(types.get(XdsType.ROUTE))))
            .addConfigs(Any.pack(endpoints(types.get(XdsType.ENDPOINT))));
    TypeDump sds = types.get(XdsType.SECRET);
    if (sds != null) {
      b.addConfigs(Any.pack(secrets(sds)));
    }
    return b.build();
  }

  /**
   * Envoy's {@code SecretsConfigDump}: the secrets as served, private keys already replaced by
   * {@code [redacted]} in the {@link ProxyConfigDump} (as Envoy's admin does).
   */
  private static SecretsConfigDump secrets(TypeDump t) {
    SecretsConfigDump.Builder b = SecretsConfigDump.newBuilder();
    t.resources()
        .forEach(
            (name, r) ->
                b.addDynamicActiveSecrets(
                    SecretsConfigDump.DynamicSecret.newBuilder()
                        .setName(name)
                        .setVersionInfo(t.version())
                        .setSecret(Any.pack(r.message()))));
    problems(XdsType.SECRET, t)
        .forEach(
            f ->
                b.addDynamicActiveSecrets(
                    SecretsConfigDump.DynamicSecret.newBuilder().setErrorState(f)));
    return b.build();
  }

  private static ClustersConfigDump clusters(TypeDump t) {
    ClustersConfigDump.Builder b = ClustersConfigDump.newBuilder();
    if (t != null) {
      b.setVersionInfo(t.version());
      t.resources()
          .forEach(
              (name, r) ->
                  b.addDynamicActiveClusters(
                      ClustersConfigDump.DynamicCluster.newBuilder()
                          .setVersionInfo(t.version())
                          .setCluster(Any.pack(r.message()))));
      problems(XdsType.CLUSTER, t)
          .forEach(
              f ->
                  b.addDynamicActiveClusters(
                      ClustersConfigDump.DynamicCluster.newBuilder().setErrorState(f)));
    }
    return b.build();
  }

  private static ListenersConfigDump listeners(TypeDump t) {
    ListenersConfigDump.Builder b = ListenersConfigDump.newBuilder();
    if (t != null) {
      b.setVersionInfo(t.version());
      t.resources()
          .forEach(
              (name, r) ->
                  b.addDynamicListeners(
                      ListenersConfigDump.DynamicListener.newBuilder()
                          .setName(name)
                          .setActiveState(
                              ListenersConfigDump.DynamicListenerState.newBuilder()
                                  .setVersionInfo(t.version())
                                  .setListener(Any.pack(r.message())))));
      problems(XdsType.LISTENER, t)
          .forEach(
              f ->
                  b.addDynamicListeners(
                      ListenersConfigDump.DynamicListener.newBuilder().setErrorState(f)));
    }
    return b.build();
  }

  private static RoutesConfigDump routes(TypeDump t) {
    RoutesConfigDump.Builder b = RoutesConfigDump.newBuilder();
    if (t != null) {
      t.resources()
          .forEach(
              (name, r) ->
                  b.addDynamicRouteConfigs(
                      RoutesConfigDump.DynamicRouteConfig.newBuilder()
                          .setVersionInfo(t.version())
                          .setRouteConfig(Any.pack(r.message()))));
      problems(XdsType.ROUTE, t)
          .forEach(
              f ->
                  b.addDynamicRouteConfigs(
                      RoutesConfigDump.DynamicRouteConfig.newBuilder().setErrorState(f)));
    }
    return b.build();
  }

  private static EndpointsConfigDump endpoints(TypeDump t) {
    EndpointsConfigDump.Builder b = EndpointsConfigDump.newBuilder();
    if (t != null) {
      t.resources()
          .forEach(
              (name, r) ->
                  b.addDynamicEndpointConfigs(
                      EndpointsConfigDump.DynamicEndpointConfig.newBuilder()
                          .setVersionInfo(t.version())
                          .setEndpointConfig(Any.pack(r.message()))));
      problems(XdsType.ENDPOINT, t)
          .forEach(
              f ->
                  b.addDynamicEndpointConfigs(
                      EndpointsConfigDump.DynamicEndpointConfig.newBuilder().setErrorState(f)));
    }
    return b.build();
  }

  /** Refused resources, then the generator's failure, as Envoy-style failure states. */
  private static List<UpdateFailureState> problems(XdsType type, TypeDump t) {
    List<UpdateFailureState> out =
        new java.util.ArrayList<>(
            t.rejected().entrySet().stream()
                .map(
                    e ->
                        UpdateFailureState.newBuilder()
                            .setDetails(
                                type.shortName()
                                    + " "
                                    + e.getKey()
                                    + " refused by validation, not sent: "
                                    + e.getValue().stream()
                                        .map(Violation::toString)
                                        .collect(Collectors.joining("; ")))
                            .build())
                .toList());
    Optional<String> error = t.error();
    error.ifPresent(
        e ->
            out.add(
                UpdateFailureState.newBuilder()
                    .setDetails("generating " + type.shortName() + " failed: " + e)
                    .build()));
    return out;
  }
}
