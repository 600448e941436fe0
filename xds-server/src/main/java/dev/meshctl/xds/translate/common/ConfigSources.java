package dev.meshctl.xds.translate.common;

import com.google.protobuf.Duration;
import io.envoyproxy.envoy.config.core.v3.AggregatedConfigSource;
import io.envoyproxy.envoy.config.core.v3.ApiVersion;
import io.envoyproxy.envoy.config.core.v3.ConfigSource;

/**
 * The {@link ConfigSource}s generated resources point at. Everything a proxy fetches dynamically
 * (EDS for clusters, RDS for listeners) comes over the same ADS stream, as in Istio. Stateless; any
 * thread.
 */
public final class ConfigSources {
  private static final ConfigSource ADS =
      ConfigSource.newBuilder()
          .setAds(AggregatedConfigSource.getDefaultInstance())
          // 0s: wait for the resource indefinitely instead of warming with nothing after 15s
          // (Envoy's default); istiod does the same, since it always answers eventually.
          .setInitialFetchTimeout(Duration.getDefaultInstance())
          .setResourceApiVersion(ApiVersion.V3)
          .build();

  private ConfigSources() {}

  /** Fetch over the proxy's ADS stream, waiting without a timeout, v3 resources. */
  public static ConfigSource ads() {
    return ADS;
  }
}
