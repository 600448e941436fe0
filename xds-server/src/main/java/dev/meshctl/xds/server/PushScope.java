package dev.meshctl.xds.server;

import dev.meshctl.xds.model.NamespacedName;
import dev.meshctl.xds.names.ResourceNames;
import dev.meshctl.xds.proxy.Proxy;
import dev.meshctl.xds.translate.Subscription;
import dev.meshctl.xds.translate.XdsType;
import java.time.Instant;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Which (proxy, type) pairs a push regenerates: {@link #types} for every proxy, every type for
 * proxies with an address in {@link #fullForAddresses}, and SDS for proxies of a namespace in
 * {@link #secrets} subscribed to a name that reads one of those Secrets. An endpoint-only change
 * needs EDS for everyone but the other types only for the proxies whose own service targets changed
 * (their inbound side): regenerating all four types for every proxy on each endpoint change is what
 * made endpoint churn expensive (docs/benchmarks.md). Immutable; any thread.
 *
 * @param types the types regenerated for every proxy
 * @param fullForAddresses proxies with one of these IPs regenerate every type
 * @param secrets changed Kubernetes Secrets: SDS is regenerated for the proxies of their namespace
 *     subscribed to {@code kubernetes://<name>} or {@code kubernetes://<name>-cacert} (a {@code
 *     -cacert} Secret is read for the CA of the name without the suffix, which is thereby covered)
 * @param triggeredAt when the first config change behind this push entered debouncing, measured by
 *     the caller's clock (the push loop's); a connection that finishes the push reports the delay
 *     since then as its convergence time. Empty for pushes no config change caused (a certificate
 *     refresh); merged pushes keep the earliest
 */
public record PushScope(
    Set<XdsType> types,
    Set<String> fullForAddresses,
    Set<NamespacedName> secrets,
    Optional<Instant> triggeredAt) {
  /** Everything for everyone. */
  public static final PushScope ALL = new PushScope(EnumSet.allOf(XdsType.class), Set.of());

  public PushScope {
    triggeredAt = Objects.requireNonNull(triggeredAt, "triggeredAt");
    types =
        Collections.unmodifiableSet(
            types.isEmpty() ? EnumSet.noneOf(XdsType.class) : EnumSet.copyOf(types));
    fullForAddresses = Set.copyOf(fullForAddresses);
    secrets = Set.copyOf(secrets);
  }

  /** A scope with no trigger time. */
  public PushScope(Set<XdsType> types, Set<String> fullForAddresses, Set<NamespacedName> secrets) {
    this(types, fullForAddresses, secrets, Optional.empty());
  }

  /** A scope without Secret changes. */
  public PushScope(Set<XdsType> types, Set<String> fullForAddresses) {
    this(types, fullForAddresses, Set.of());
  }

  /** This scope, caused by a config change first seen at {@code triggeredAt}. */
  public PushScope withTrigger(Instant triggeredAt) {
    return new PushScope(types, fullForAddresses, secrets, Optional.of(triggeredAt));
  }

  /** SDS for the proxies subscribed to one of the changed {@code secrets}; nothing else. */
  public static PushScope secrets(Set<NamespacedName> secrets) {
    return new PushScope(Set.of(), Set.of(), secrets);
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

  /**
   * True when this push regenerates {@code type} for {@code proxy}, whose subscription to the type
   * is {@code subscription}: {@link #covers(XdsType, Proxy)}, or SDS of a changed Secret the proxy
   * reads.
   */
  public boolean covers(XdsType type, Proxy proxy, Subscription subscription) {
    if (covers(type, proxy)) {
      return true;
    }
    if (type != XdsType.SECRET || secrets.isEmpty()) {
      return false;
    }
    for (NamespacedName s : secrets) {
      if (s.namespace().equals(proxy.namespace())
          && (subscription instanceof Subscription.Wildcard
              || subscription.wants(ResourceNames.credentialSecret(s.name()))
              || subscription.wants(ResourceNames.credentialCaSecret(s.name())))) {
        return true;
      }
    }
    return false;
  }

  /** What either push covers: two pushes merged into one. */
  public PushScope union(PushScope other) {
    Optional<Instant> earliest = earliest(triggeredAt, other.triggeredAt);
    if (types.size() == XdsType.values().length) {
      return earliest.equals(triggeredAt) ? this : withTriggerOf(earliest);
    }
    if (other.types.size() == XdsType.values().length) {
      return earliest.equals(other.triggeredAt) ? other : other.withTriggerOf(earliest);
    }
    EnumSet<XdsType> t = EnumSet.noneOf(XdsType.class);
    t.addAll(types);
    t.addAll(other.types);
    Set<String> a = new HashSet<>(fullForAddresses);
    a.addAll(other.fullForAddresses);
    Set<NamespacedName> s = new HashSet<>(secrets);
    s.addAll(other.secrets);
    return new PushScope(t, a, s, earliest);
  }

  private PushScope withTriggerOf(Optional<Instant> trigger) {
    return new PushScope(types, fullForAddresses, secrets, trigger);
  }

  private static Optional<Instant> earliest(Optional<Instant> a, Optional<Instant> b) {
    if (a.isEmpty()) {
      return b;
    }
    if (b.isEmpty()) {
      return a;
    }
    return a.get().isBefore(b.get()) ? a : b;
  }
}
