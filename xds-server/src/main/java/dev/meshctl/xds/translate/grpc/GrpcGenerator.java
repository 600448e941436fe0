package dev.meshctl.xds.translate.grpc;

import com.google.protobuf.Message;
import dev.meshctl.xds.model.MeshSnapshot;
import dev.meshctl.xds.model.Service;
import dev.meshctl.xds.model.ServicePort;
import dev.meshctl.xds.names.ResourceNames;
import dev.meshctl.xds.proxy.Proxy;
import dev.meshctl.xds.translate.MeshGenerator;
import dev.meshctl.xds.translate.Subscription;
import dev.meshctl.xds.translate.TranslationContext;
import dev.meshctl.xds.translate.XdsGenerator;
import dev.meshctl.xds.translate.XdsType;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * CDS, LDS and RDS for proxyless gRPC clients and servers (proxies with metadata {@code
 * GENERATOR=grpc}), shaped like Istio's grpcgen so the same grpc bootstraps work. EDS is not built
 * here: {@link MeshGenerator} serves it to every proxy, and asking this generator for endpoints
 * returns nothing.
 *
 * <ul>
 *   <li>LDS: grpc asks by name. {@code host:port} (FQDN or a short name relative to the proxy's
 *       namespace) gives a client {@code api_listener}; {@code
 *       xds.istio.io/grpc/lds/inbound/<ip>:<port>} gives a server listener. A wildcard request gets
 *       a client listener {@code fqdn:port} for every service port, as Istio does.
 *   <li>RDS: by name {@code outbound|port||fqdn}; a wildcard request gets nothing (route configs
 *       are only ever fetched by name).
 *   <li>CDS: by name, or for a wildcard every outbound cluster, subset clusters of the
 *       DestinationRules the client's namespace sees included.
 * </ul>
 *
 * <p>Unknown names are left out of the result, which a grpc client reports as "resource does not
 * exist". Results are memoised in the {@link TranslationContext} per name and proxy namespace
 * (DestinationRule and VirtualService visibility), and for routes and listeners also per proxy
 * labels (VirtualService {@code sourceLabels}; the PeerAuthentication mode of a server listener).
 * Pure and stateless; any thread, concurrently.
 */
public final class GrpcGenerator implements XdsGenerator {

  @Override
  public SortedMap<String, Message> generate(
      TranslationContext context, Proxy proxy, XdsType type, Subscription subscription) {
    return switch (type) {
      case CLUSTER -> clusters(context, proxy, subscription);
      case LISTENER -> listeners(context, proxy, subscription);
      case ROUTE -> routes(context, proxy, subscription);
      // EDS and SDS are built by MeshGenerator, the same way for every kind of proxy.
      case ENDPOINT, SECRET -> Collections.emptySortedMap();
    };
  }

  private static SortedMap<String, Message> clusters(
      TranslationContext context, Proxy proxy, Subscription subscription) {
    Iterable<String> names =
        subscription instanceof Subscription.Names n
            ? n.names()
            : GrpcClusterTranslator.allNames(context.snapshot(), proxy.namespace());
    SortedMap<String, Message> out = new TreeMap<>();
    for (String name : names) {
      context
          .memo(
              new CdsKey(
                  name,
                  proxy.namespace(),
                  context
                      .snapshot()
                      .destinationRules()
                      .selectedFor(proxy.namespace(), proxy.labels())),
              k ->
                  GrpcClusterTranslator.translate(
                      context.snapshot(), k.namespace(), proxy.labels(), k.name()))
          .ifPresent(c -> out.put(name, c));
    }
    return out;
  }

  private static SortedMap<String, Message> listeners(
      TranslationContext context, Proxy proxy, Subscription subscription) {
    SortedMap<String, Message> out = new TreeMap<>();
    if (!(subscription instanceof Subscription.Names n)) {
      MeshSnapshot snapshot = context.snapshot();
      String suffix = snapshot.mesh().domainSuffix();
      for (Service s : snapshot.services().all()) {
        String fqdn = s.hostname(suffix);
        for (ServicePort p : s.ports()) {
          String name = ResourceNames.hostPort(fqdn, p.port());
          out.put(name, GrpcListenerTranslator.clientListener(name, s, fqdn, p.port()));
        }
      }
      return out;
    }
    for (String name : n.names()) {
      Optional<? extends Message> listener =
          context.memo(
              // Only server listeners depend on the labels; client listeners stay shared.
              new LdsKey(
                  name,
                  proxy.namespace(),
                  name.startsWith(ResourceNames.GRPC_SERVER_LISTENER_PREFIX)
                      ? proxy.labels()
                      : Map.of()),
              k ->
                  GrpcListenerTranslator.translate(
                      context.snapshot(), k.namespace(), k.labels(), k.name()));
      listener.ifPresent(l -> out.put(name, l));
    }
    return out;
  }

  private static SortedMap<String, Message> routes(
      TranslationContext context, Proxy proxy, Subscription subscription) {
    if (!(subscription instanceof Subscription.Names n)) {
      return Collections.emptySortedMap();
    }
    SortedMap<String, Message> out = new TreeMap<>();
    for (String name : n.names()) {
      Optional<? extends Message> route =
          context.memo(
              new RdsKey(name, proxy.namespace(), proxy.labels()),
              k ->
                  GrpcRouteTranslator.translate(
                      context.snapshot(), k.namespace(), k.labels(), k.name()));
      route.ifPresent(r -> out.put(name, r));
    }
    return out;
  }

  /** Memo keys, private types so they never collide with another generator's entries. */
  /** A cluster depends on the name, the namespace and the selector DestinationRules that apply. */
  private record CdsKey(String name, String namespace, java.util.List<String> selectedRules) {}

  private record LdsKey(String name, String namespace, Map<String, String> labels) {}

  private record RdsKey(String name, String namespace, Map<String, String> labels) {}
}
