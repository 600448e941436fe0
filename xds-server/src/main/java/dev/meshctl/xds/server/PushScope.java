package dev.meshctl.xds.server;

import dev.meshctl.xds.proxy.Proxy;
import dev.meshctl.xds.translate.XdsType;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.Set;

/**
 * Which (proxy, type) pairs a push regenerates: {@link #types} for every proxy, and every type for
 * proxies with an address in {@link #fullForAddresses}. An endpoint-only change needs EDS for
 * everyone but the other types only for the proxies whose own service targets changed (their
 * inbound side): regenerating all four types for every proxy on each endpoint change is what made
 * endpoint churn expensive (docs/benchmarks.md). Immutable; any thread.
 *
 * @param types the types regenerated for every proxy
 * @param fullForAddresses proxies with one of these IPs regenerate every type
 */
public record PushScope(Set<XdsType> types, Set<String> fullForAddresses) {
  /** Everything for everyone. */
  public static final PushScope ALL = new PushScope(EnumSet.allOf(XdsType.class), Set.of());

  public PushScope {
    types =
        Collections.unmodifiableSet(
            types.isEmpty() ? EnumSet.noneOf(XdsType.class) : EnumSet.copyOf(types));
    fullForAddresses = Set.copyOf(fullForAddresses);
  }

  /** EDS for every proxy; all types for proxies at {@code addresses}. */
  public static PushScope endpoints(Set<String> addresses) {
    return new PushScope(EnumSet.of(XdsType.ENDPOINT), addresses);
  }

  /** True when this push regenerates {@code type} for {@code proxy}. */
  public boolean covers(XdsType type, Proxy proxy) {
    if (types.contains(type)) {
      return true;
    }
    for (String ip : proxy.ipAddresses()) {
      if (fullForAddresses.contains(ip)) {
        return true;
      }
    }
    return false;
  }

  /** What either push covers: two pushes merged into one. */
  public PushScope union(PushScope other) {
    if (types.size() == XdsType.values().length) {
      return this;
    }
    if (other.types.size() == XdsType.values().length) {
      return other;
    }
    EnumSet<XdsType> t = EnumSet.noneOf(XdsType.class);
    t.addAll(types);
    t.addAll(other.types);
    Set<String> a = new HashSet<>(fullForAddresses);
    a.addAll(other.fullForAddresses);
    return new PushScope(t, a);
  }
}
