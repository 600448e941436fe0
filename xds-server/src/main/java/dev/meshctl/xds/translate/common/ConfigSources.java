package dev.meshctl.xds.translate.common;

import io.envoyproxy.envoy.config.core.v3.AggregatedConfigSource;
import io.envoyproxy.envoy.config.core.v3.ApiVersion;
import io.envoyproxy.envoy.config.core.v3.ConfigSource;

/**
 * The {@link ConfigSource}s our generated resources point at. Everything we serve travels on the
 * one ADS stream, so there is a single source. Stateless; any thread.
 */
public final class ConfigSources {
  private static final ConfigSource ADS =
      ConfigSource.newBuilder()
          .setAds(AggregatedConfigSource.getDefaultInstance())
          // V3 explicitly: Envoy and grpc both accept it, and it says which API the ADS stream
          // serves instead of relying on the AUTO default.
          .setResourceApiVersion(ApiVersion.V3)
          .build();

  private ConfigSources() {}

  /** {@code config_source { ads {} resource_api_version: V3 }}. */
  public static ConfigSource ads() {
    return ADS;
  }
}
