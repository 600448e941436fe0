package dev.meshctl.xds.server;

import com.google.protobuf.Message;
import dev.meshctl.xds.proxy.Proxy;
import dev.meshctl.xds.translate.Subscription;
import dev.meshctl.xds.translate.XdsType;
import dev.meshctl.xds.validate.ResourceValidator.Violation;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What the ADS server would serve a connected proxy right now: each type the proxy subscribed to,
 * regenerated from the current translation context with the real generator and validator, without
 * sending anything. For debug endpoints ({@code /debug/config_dump}) and {@code meshctl
 * proxy-config}. Immutable; any thread.
 *
 * @param status the proxy's stream status when the dump was taken
 * @param proxy the proxy, as parsed from its node
 * @param types one entry per subscribed type, in push order (CDS, EDS, LDS, RDS); empty before the
 *     server's first push
 */
public record ProxyConfigDump(ConnectionStatus status, Proxy proxy, Map<XdsType, TypeDump> types) {

  public ProxyConfigDump {
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(proxy, "proxy");
    if (!proxy.equals(status.proxy())) {
      throw new IllegalArgumentException("the dump's proxy must be its status's proxy");
    }
    types = Collections.unmodifiableMap(new EnumMap<>(types));
  }

  /**
   * One type's regenerated resources.
   *
   * @param subscription what the proxy asked for
   * @param version the response version these resources would be sent with (the same hash the
   *     server puts in {@code version_info})
   * @param resources the resources that pass validation, by name
   * @param rejected the resources the validator refuses (never sent), with why
   * @param error the generator's failure, if it threw (then both maps are empty)
   */
  public record TypeDump(
      Subscription subscription,
      String version,
      SortedMap<String, Resource> resources,
      SortedMap<String, List<Violation>> rejected,
      Optional<String> error) {

    public TypeDump {
      Objects.requireNonNull(subscription, "subscription");
      Objects.requireNonNull(version, "version");
      resources = Collections.unmodifiableSortedMap(new TreeMap<>(resources));
      rejected = Collections.unmodifiableSortedMap(new TreeMap<>(rejected));
      Objects.requireNonNull(error, "error");
    }
  }

  /**
   * One resource.
   *
   * @param message the generated Envoy message
   * @param version its content hash, as in delta xDS
   */
  public record Resource(Message message, String version) {
    public Resource {
      Objects.requireNonNull(message, "message");
      Objects.requireNonNull(version, "version");
    }
  }
}
