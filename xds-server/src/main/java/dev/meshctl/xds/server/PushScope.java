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
 * proxies with an address in {@link #fullForAddresses}, SDS for proxies of a namespace in {@link
 * #secrets} subscribed to a name that reads one of those Secrets, and CDS, EDS, LDS and RDS where a
 * config change's {@link #reach} says it may alter them. An endpoint-only change needs EDS for
 * everyone but the other types only for the proxies whose own service targets changed (their
 * inbound side): regenerating all four types for every proxy on each endpoint change is what made
 * endpoint churn expensive (docs/benchmarks.md). Immutable; any thread.
 *
 * @param types the types regenerated for every proxy
 * @param fullForAddresses proxies with one of these IPs regenerate every type
 * @param secrets changed Kubernetes Secrets: SDS is regenerated for the proxies of their namespace
 *     subscribed to {@code kubernetes://<name>} or {@code kubernetes://<name>-cacert} (a {@code
 *     -cacert} Secret is read for the CA of the name without the suffix, which is thereby covered)
 * @param reach where a config change may alter a proxy's CDS, EDS, LDS or RDS, evaluated per proxy
 *     and subscribed type (e.g. Sidecar scoping: a VirtualService change reaches the proxies that
 *     see its hosts); {@link Reach#NONE} when the push carries no such change
 * @param triggeredAt when the first config change behind this push entered debouncing, measured by
 *     the caller's clock (the push loop's); a connection that finishes the push reports the delay
 *     since then as its convergence time. Empty for pushes no config change caused (a certificate
 *     refresh); merged pushes keep the earliest
 */
public record PushScope(
    Set<XdsType> types,
    Set<String> fullForAddresses,
    Set<NamespacedName> secrets,
    Reach reach,
    Optional<Instant> triggeredAt) {

  /**
   * Whether a config change may alter what a proxy is served for one type, given its subscription
   * to that type. Implementations must be pure and thread-safe: push workers call them
   * concurrently, once per connection and type.
   */
  @FunctionalInterface
  public interface Reach {
    /** Reaches no proxy. */
    Reach NONE = (proxy, subscription) -> false;

    /** True when the change may alter what {@code proxy} gets for {@code subscription}. */
    boolean reaches(Proxy proxy, Subscription subscription);

    /** Reaches where either does. */
    default Reach or(Reach other) {
      if (this == NONE) {
        return other;
      }
      if (other == NONE) {
        return this;
      }
      Reach self = this;
      return (p, s) -> self.reaches(p, s) || other.reaches(p, s);
    }
  }

  /** Everything for everyone. */
  public static final PushScope ALL = new PushScope(EnumSet.allOf(XdsType.class), Set.of());

  public PushScope {
    triggeredAt = Objects.requireNonNull(triggeredAt, "triggeredAt");
    reach = Objects.requireNonNull(reach, "reach");
    types =
        Collections.unmodifiableSet(
            types.isEmpty() ? EnumSet.noneOf(XdsType.class) : EnumSet.copyOf(types));
    fullForAddresses = Set.copyOf(fullForAddresses);
    secrets = Set.copyOf(secrets);
  }

  /** A scope with no trigger time. */
  public PushScope(Set<XdsType> types, Set<String> fullForAddresses, Set<NamespacedName> secrets) {
    this(types, fullForAddresses, secrets, Reach.NONE, Optional.empty());
  }

  /** A scope without Secret changes. */
  public PushScope(Set<XdsType> types, Set<String> fullForAddresses) {
    this(types, fullForAddresses, Set.of());
  }

  /** This scope, caused by a config change first seen at {@code triggeredAt}. */
  public PushScope withTrigger(Instant triggeredAt) {
    return new PushScope(types, fullForAddresses, secrets, reach, Optional.of(triggeredAt));
  }

  /** True when this push regenerates nothing for any proxy. */
  public boolean isEmpty() {
    return types.isEmpty()
        && fullForAddresses.isEmpty()
        && secrets.isEmpty()
        && reach == Reach.NONE;
  }

  /**
   * CDS, EDS, LDS and RDS where {@code reach} says a config change may alter them; else nothing.
   */
  public static PushScope config(Reach reach) {
    return new PushScope(Set.of(), Set.of(), Set.of(), reach, Optional.empty());
  }

  /** SDS for the proxies subscribed to one of the changed {@code secrets}; nothing else. */
  public static PushScope secrets(Set<NamespacedName> secrets) {
    return new PushScope(Set.of(), Set.of(), secrets);
  }

  /** EDS for every proxy; all types for proxies at {@code addresses}. */
  public static PushScope endpoints(Set<String> addresses) {
    return new PushScope(EnumSet.of(XdsType.ENDPOINT), addresses);
  }

  /**
   * True when this push regenerates {@code type} for {@code proxy} whatever it subscribes to (a
   * wildcard subscription is assumed for {@link #reach}).
   */
  public boolean covers(XdsType type, Proxy proxy) {
    return coversBeyondReach(type, proxy)
        || (type != XdsType.SECRET && reach.reaches(proxy, Subscription.WILDCARD));
  }

  private boolean coversBeyondReach(XdsType type, Proxy proxy) {
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
    if (coversBeyondReach(type, proxy)) {
      return true;
    }
    if (type != XdsType.SECRET) {
      // SDS content is Secrets and certificates only; config changes reach it through requests.
      return reach.reaches(proxy, subscription);
    }
    if (secrets.isEmpty()) {
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
    return new PushScope(t, a, s, reach.or(other.reach), earliest);
  }

  private PushScope withTriggerOf(Optional<Instant> trigger) {
    return new PushScope(types, fullForAddresses, secrets, reach, trigger);
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
