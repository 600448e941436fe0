package dev.meshctl.xds.model;

import dev.meshctl.crds.decode.IstioConfig;
import java.util.Objects;

/**
 * An Istio object ({@code networking.istio.io}: VirtualService, DestinationRule, Gateway,
 * ServiceEntry, Sidecar, WorkloadEntry, WorkloadGroup, EnvoyFilter; {@code security.istio.io}:
 * PeerAuthentication, AuthorizationPolicy, RequestAuthentication) as decoded and validated by
 * {@code api-crds}. Only objects without validation errors become an {@code IstioObject}.
 * Immutable.
 *
 * @param config the decoded object (kind, metadata, spec)
 */
public record IstioObject(IstioConfig config) implements ConfigObject {

  public IstioObject {
    Objects.requireNonNull(config, "config");
  }

  @Override
  public ConfigKey key() {
    return new ConfigKey(
        ConfigKind.of(config.kind()), NamespacedName.of(config.namespace(), config.name()));
  }

  /** The spec as its record type; throws if the kind does not match. */
  public <T extends dev.meshctl.crds.IstioSpec> T spec(Class<T> type) {
    return config.spec(type);
  }
}
