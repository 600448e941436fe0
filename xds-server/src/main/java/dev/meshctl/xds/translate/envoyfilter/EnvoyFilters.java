package dev.meshctl.xds.translate.envoyfilter;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import dev.meshctl.crds.networking.EnvoyFilter;
import dev.meshctl.crds.networking.EnvoyFilter.ApplyTo;
import dev.meshctl.crds.networking.EnvoyFilter.ListenerMatch;
import dev.meshctl.crds.networking.EnvoyFilter.Operation;
import dev.meshctl.xds.model.MeshSnapshot;
import dev.meshctl.xds.proxy.Proxy;
import dev.meshctl.xds.translate.Subscription;
import dev.meshctl.xds.translate.XdsType;
import dev.meshctl.xds.translate.common.TypedConfigs;
import dev.meshctl.xds.validate.PgvValidator;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.listener.v3.ListenerFilter;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies the EnvoyFilters that select an Envoy proxy (sidecar or gateway) to the CDS, LDS or RDS
 * generated for it, patch by patch in Istio's order: {@code CLUSTER} on clusters; {@code LISTENER},
 * {@code LISTENER_FILTER}, {@code FILTER_CHAIN}, {@code NETWORK_FILTER} and {@code HTTP_FILTER} on
 * listeners; {@code ROUTE_CONFIGURATION}, {@code VIRTUAL_HOST} and {@code HTTP_ROUTE} on route
 * configurations (those sent by RDS, and those inline in inbound listeners: {@link RoutePatches}).
 * A patch whose value does not read as the Envoy type, or whose result breaks one of Envoy's
 * validation rules, is skipped as a whole (logged as {@code event=envoy_filter_skipped}) so no
 * proxy receives config it would reject. Proxyless gRPC clients are never patched (as in Istio).
 * Pure apart from that log line; any thread.
 */
public final class EnvoyFilters {
  private static final Logger log = LoggerFactory.getLogger(EnvoyFilters.class);
  private static final PgvValidator VALIDATOR = new PgvValidator();
  static final ProtoValues VALUES = new ProtoValues(VALIDATOR);

  private static final Set<ApplyTo> CLUSTERS = EnumSet.of(ApplyTo.CLUSTER);
  private static final Set<ApplyTo> LISTENERS =
      EnumSet.of(
          ApplyTo.LISTENER,
          ApplyTo.LISTENER_FILTER,
          ApplyTo.FILTER_CHAIN,
          ApplyTo.NETWORK_FILTER,
          ApplyTo.HTTP_FILTER);
  private static final Set<ApplyTo> ROUTES =
      EnumSet.of(ApplyTo.ROUTE_CONFIGURATION, ApplyTo.VIRTUAL_HOST, ApplyTo.HTTP_ROUTE);

  private EnvoyFilters() {}

  /** {@code generated} patched by the EnvoyFilters that apply to {@code proxy}. */
  public static SortedMap<String, Message> apply(
      MeshSnapshot snapshot,
      Proxy proxy,
      XdsType type,
      SortedMap<String, Message> generated,
      Subscription subscription) {
    if (proxy.generator() != Proxy.Generator.ENVOY || snapshot.envoyFilters().isEmpty()) {
      return generated;
    }
    Set<ApplyTo> kinds =
        switch (type) {
          case CLUSTER -> CLUSTERS;
          case LISTENER -> LISTENERS;
          case ROUTE -> ROUTES;
          case ENDPOINT, SECRET -> Set.of();
        };
    var filters = snapshot.envoyFilters().forWorkload(proxy.namespace(), proxy.labels());
    List<PatchRef> patches = new ArrayList<>();
    if (type == XdsType.LISTENER) {
      // Inbound routes are inline in the listeners; Istio patches them while building those.
      patches.addAll(PatchRef.of(filters, proxy, ROUTES));
    }
    patches.addAll(kinds.isEmpty() ? List.of() : PatchRef.of(filters, proxy, kinds));
    if (patches.isEmpty()) {
      return generated;
    }
    SortedMap<String, Message> out = new TreeMap<>(generated);
    for (PatchRef p : patches) {
      SortedMap<String, Message> before = new TreeMap<>(out);
      try {
        switch (type) {
          case CLUSTER -> clusters(out, p, proxy);
          case LISTENER -> {
            if (ROUTES.contains(p.applyTo())) {
              RoutePatches.inbound(out, p, proxy);
            } else {
              listeners(out, p, proxy);
            }
          }
          case ROUTE -> RoutePatches.rds(out, p, proxy);
          default -> {}
        }
        String broken = firstInvalid(before, out);
        if (broken != null) {
          throw new IllegalArgumentException(broken);
        }
      } catch (InvalidProtocolBufferException | RuntimeException e) {
        log.warn(
            "event=envoy_filter_skipped proxy={} patch=\"{}\" applyTo={} reason=\"{}\"",
            proxy.nodeId(),
            p.where(),
            p.applyTo(),
            e.getMessage());
        out = before;
      }
    }
    // Added resources reach the proxy only when it asks for them (RDS is by name).
    out.keySet().removeIf(name -> !generated.containsKey(name) && !subscription.wants(name));
    return out;
  }

  /** The first changed resource Envoy would reject, described, or null. */
  private static String firstInvalid(Map<String, Message> before, Map<String, Message> after) {
    for (Map.Entry<String, Message> e : after.entrySet()) {
      if (before.get(e.getKey()) != e.getValue()) {
        var violations = VALIDATOR.validate(e.getValue());
        if (!violations.isEmpty()) {
          return "the patched " + e.getKey() + " would be rejected by Envoy: " + violations.get(0);
        }
      }
    }
    return null;
  }

  private static void clusters(SortedMap<String, Message> out, PatchRef p, Proxy proxy)
      throws InvalidProtocolBufferException {
    var match = p.spec().match() == null ? null : p.spec().match().cluster();
    if (p.operation() == Operation.ADD) {
      if (p.allows(Matches.direction(proxy, false)) || p.allows(Matches.direction(proxy, true))) {
        add(out, VALUES.parse(p.value(), Cluster.getDefaultInstance()), Cluster::getName);
      }
      return;
    }
    for (Map.Entry<String, Message> e : new TreeMap<>(out).entrySet()) {
      Cluster c = (Cluster) e.getValue();
      if (!p.allows(Matches.of(c, proxy)) || !Matches.cluster(c, match)) {
        continue;
      }
      whole(out, e.getKey(), c, p);
    }
  }

  /**
   * REMOVE or MERGE of a whole cluster or listener. Istio does not REPLACE these (nor INSERT): such
   * patches change nothing, and validation says so.
   */
  private static <T extends Message> void whole(
      SortedMap<String, Message> out, String key, T current, PatchRef p)
      throws InvalidProtocolBufferException {
    switch (p.operation()) {
      case REMOVE -> out.remove(key);
      case MERGE, MERGE_AND_REPLACE_LIST -> out.put(key, merge(current, p, current));
      default -> {}
    }
  }

  private static void listeners(SortedMap<String, Message> out, PatchRef p, Proxy proxy)
      throws InvalidProtocolBufferException {
    ListenerMatch match = p.spec().match() == null ? null : p.spec().match().listener();
    if (p.applyTo() == ApplyTo.LISTENER && p.operation() == Operation.ADD) {
      if (p.allows(Matches.direction(proxy, false)) || p.allows(Matches.direction(proxy, true))) {
        add(out, VALUES.parse(p.value(), Listener.getDefaultInstance()), Listener::getName);
      }
      return;
    }
    for (Map.Entry<String, Message> e : new TreeMap<>(out).entrySet()) {
      Listener l = (Listener) e.getValue();
      if (!p.allows(Matches.of(l, proxy)) || !Matches.listener(l, match)) {
        continue;
      }
      if (p.applyTo() == ApplyTo.LISTENER) {
        whole(out, e.getKey(), l, p);
        continue;
      }
      if (p.applyTo() == ApplyTo.LISTENER_FILTER) {
        out.put(e.getKey(), listenerFilters(l, p, match));
        continue;
      }
      out.put(e.getKey(), chains(l, p, match));
    }
  }

  /** LISTENER_FILTER patches, next to the listener filter the match names. */
  private static Listener listenerFilters(Listener l, PatchRef p, ListenerMatch match)
      throws InvalidProtocolBufferException {
    String anchor =
        match == null || !Matches.notEmpty(match.listenerFilter()) ? null : match.listenerFilter();
    ListenerFilter value =
        p.value() == null ? null : VALUES.parse(p.value(), ListenerFilter.getDefaultInstance());
    List<ListenerFilter> patched =
        ListOps.apply(
            l.getListenerFiltersList(),
            anchor == null ? null : f -> f.getName().equals(anchor),
            p.operation(),
            value,
            f -> merge(f, value, p));
    return l.toBuilder().clearListenerFilters().addAllListenerFilters(patched).build();
  }

  /** FILTER_CHAIN, NETWORK_FILTER and HTTP_FILTER patches on one listener's chains. */
  private static Listener chains(Listener l, PatchRef p, ListenerMatch match)
      throws InvalidProtocolBufferException {
    Predicate<FilterChain> named = c -> Matches.chain(l, c, match);
    List<FilterChain> chains = l.getFilterChainsList();
    if (p.applyTo() == ApplyTo.FILTER_CHAIN) {
      FilterChain value =
          p.value() == null ? null : VALUES.parse(p.value(), FilterChain.getDefaultInstance());
      List<FilterChain> patched =
          ListOps.apply(
              chains,
              p.operation() == Operation.ADD ? null : named,
              p.operation(),
              value,
              c -> merge(c, value, p));
      return l.toBuilder().clearFilterChains().addAllFilterChains(patched).build();
    }
    List<FilterChain> patched = new ArrayList<>();
    for (FilterChain c : chains) {
      patched.add(named.test(c) ? filters(c, p, match) : c);
    }
    Listener.Builder b = l.toBuilder().clearFilterChains().addAllFilterChains(patched);
    if (l.hasDefaultFilterChain() && named.test(l.getDefaultFilterChain())) {
      b.setDefaultFilterChain(filters(l.getDefaultFilterChain(), p, match));
    }
    return b.build();
  }

  private static FilterChain filters(FilterChain c, PatchRef p, ListenerMatch match)
      throws InvalidProtocolBufferException {
    EnvoyFilter.FilterMatch fm =
        match == null || match.filterChain() == null ? null : match.filterChain().filter();
    String filterName = fm == null || !Matches.notEmpty(fm.name()) ? null : fm.name();
    if (p.applyTo() == ApplyTo.NETWORK_FILTER) {
      Filter value =
          p.value() == null ? null : VALUES.parse(p.value(), Filter.getDefaultInstance());
      List<Filter> patched =
          ListOps.apply(
              c.getFiltersList(),
              filterName == null ? null : f -> f.getName().equals(filterName),
              p.operation(),
              value,
              f -> merge(f, value, p));
      return c.toBuilder().clearFilters().addAllFilters(patched).build();
    }
    // HTTP_FILTER: inside each HTTP connection manager of the chain.
    String sub =
        fm == null || fm.subFilter() == null || !Matches.notEmpty(fm.subFilter().name())
            ? null
            : fm.subFilter().name();
    HttpFilter value =
        p.value() == null ? null : VALUES.parse(p.value(), HttpFilter.getDefaultInstance());
    List<Filter> out = new ArrayList<>();
    for (Filter f : c.getFiltersList()) {
      if (!f.getName().equals(TypedConfigs.HTTP_CONNECTION_MANAGER)
          || !f.getTypedConfig().is(HttpConnectionManager.class)) {
        out.add(f);
        continue;
      }
      HttpConnectionManager hcm = f.getTypedConfig().unpack(HttpConnectionManager.class);
      List<HttpFilter> patched =
          ListOps.apply(
              hcm.getHttpFiltersList(),
              sub == null ? null : h -> h.getName().equals(sub),
              p.operation(),
              value,
              h -> merge(h, value, p));
      HttpConnectionManager updated =
          hcm.toBuilder().clearHttpFilters().addAllHttpFilters(patched).build();
      out.add(f.toBuilder().setTypedConfig(Any.pack(updated)).build());
    }
    return c.toBuilder().clearFilters().addAllFilters(out).build();
  }

  static <T extends Message> T merge(T target, PatchRef p, T prototype)
      throws InvalidProtocolBufferException {
    return merge(target, VALUES.parse(p.value(), prototype), p);
  }

  static <T extends Message> T merge(T target, T value, PatchRef p) {
    return VALUES.merge(target, value, p.operation() == Operation.MERGE_AND_REPLACE_LIST);
  }

  private static <T extends Message> void add(
      SortedMap<String, Message> out, T value, java.util.function.Function<T, String> name) {
    String n = name.apply(value);
    if (n.isEmpty()) {
      throw new IllegalArgumentException("the added object has no name");
    }
    out.putIfAbsent(n, value);
  }
}
