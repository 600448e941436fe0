package dev.meshctl.controlplane.analyze;

import dev.meshctl.controlplane.analyze.Catalog.Located;
import dev.meshctl.crds.IstioKind;
import dev.meshctl.crds.decode.IstioConfig;
import dev.meshctl.crds.networking.Gateway;
import dev.meshctl.xds.model.ConfigObject;
import dev.meshctl.xds.model.IstioObject;
import dev.meshctl.xds.model.MeshConfig;
import dev.meshctl.xds.model.MeshSnapshot;
import dev.meshctl.xds.proxy.Proxy;
import dev.meshctl.xds.translate.gateway.MergedGateway;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * IST0145 (warning): Gateway servers that cannot share a listener with the servers already on it,
 * whether those come from another Gateway or from the same one (different protocols on one port,
 * plain text next to TLS, a TLS host served twice, a duplicate HTTPS route name). The rules are the
 * translator's own ({@link MergedGateway}): for each distinct {@code selector}, a gateway workload
 * labelled exactly so is configured from every Gateway selecting it (any namespace, Istio's default
 * {@code PILOT_SCOPE_GATEWAY_TO_NAMESPACE=false}), and each server the merge skips is reported on
 * its Gateway, so {@code analyze} warns of exactly what {@code serve} would drop. Gateway ports are
 * taken as listener ports (no Service to map them). Stateless; any thread.
 */
final class GatewayConflicts {
  private GatewayConflicts() {}

  /** Appends one warning per skipped server (once, however many selectors see it). */
  static void run(Catalog catalog, List<Diagnostic> out) {
    List<Located<IstioConfig>> gateways = catalog.of(IstioKind.GATEWAY);
    if (gateways.isEmpty()) {
      return;
    }
    List<ConfigObject> objects = new ArrayList<>();
    Map<String, Map<String, String>> selectors = new TreeMap<>();
    for (Located<IstioConfig> g : gateways) {
      objects.add(new IstioObject(g.object()));
      Map<String, String> selector = g.object().spec(Gateway.class).selector();
      if (selector != null && !selector.isEmpty()) {
        selectors.putIfAbsent(new TreeMap<>(selector).toString(), selector);
      }
    }
    MeshSnapshot snapshot = MeshSnapshot.build(MeshConfig.DEFAULT, objects);
    Set<String> reported = new LinkedHashSet<>();
    for (Map.Entry<String, Map<String, String>> s : selectors.entrySet()) {
      MergedGateway merged = MergedGateway.of(snapshot, workload(s.getValue()));
      for (String conflict : merged.conflicts()) {
        if (!reported.add(conflict)) {
          continue;
        }
        for (Located<IstioConfig> g : gateways) {
          String prefix =
              "gateway " + g.object().namespace() + "/" + g.object().name() + " server ";
          if (conflict.startsWith(prefix)) {
            out.add(
                Diagnostic.warning(
                    g.file(),
                    g.document(),
                    g.object().what(),
                    "spec.servers: conflict on gateway workloads labelled "
                        + s.getKey()
                        + ": "
                        + conflict
                        + " (IST0145)"));
            break;
          }
        }
      }
    }
  }

  /** A gateway pod carrying exactly {@code labels}; its namespace does not matter unscoped. */
  private static Proxy workload(Map<String, String> labels) {
    return new Proxy(
        Proxy.ProxyType.ROUTER,
        List.of(),
        "analyze.istio-system",
        "istio-system.svc.cluster.local",
        "istio-system",
        labels,
        "",
        Proxy.Generator.ENVOY,
        "",
        "",
        "router~~analyze.istio-system~istio-system.svc.cluster.local");
  }
}
