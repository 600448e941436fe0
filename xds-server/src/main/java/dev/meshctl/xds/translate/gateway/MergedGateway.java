package dev.meshctl.xds.translate.gateway;

import dev.meshctl.crds.decode.IstioConfig;
import dev.meshctl.crds.networking.Gateway;
import dev.meshctl.crds.networking.Gateway.Server;
import dev.meshctl.xds.model.EndpointIndex.ServiceTarget;
import dev.meshctl.xds.model.MeshSnapshot;
import dev.meshctl.xds.names.ResourceNames;
import dev.meshctl.xds.proxy.Proxy;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The servers of every Gateway selecting one gateway proxy, merged per listener (bind address and
 * port) the way Istio's {@code MergeGateways} does: plain HTTP servers on one port share the route
 * config {@code http.<port>}; TLS servers on one port are told apart by SNI, each HTTPS server with
 * its own route config; anything else on a taken port is a conflict. Conflicts are skipped and
 * reported in {@link #conflicts}, in the deterministic (namespace, name, server) order, never
 * silently merged. Immutable; any thread.
 *
 * @param listeners servers by listener name ({@code 0.0.0.0_8080}), sorted by name
 * @param byRouteName HTTP servers by route config name, sorted by name
 * @param conflicts one message per skipped server
 */
public record MergedGateway(
    Map<String, Listener> listeners,
    Map<String, List<GatewayServer>> byRouteName,
    List<String> conflicts) {

  public MergedGateway {
    listeners = Collections.unmodifiableMap(new TreeMap<>(listeners));
    byRouteName = Collections.unmodifiableMap(new TreeMap<>(byRouteName));
    conflicts = List.copyOf(conflicts);
  }

  /**
   * The servers of one listener.
   *
   * @param bind the address ({@code 0.0.0.0} unless a server binds one)
   * @param port the listener port
   * @param servers in merge order; all plain text or all TLS
   */
  public record Listener(String bind, int port, List<GatewayServer> servers) {
    public Listener {
      servers = List.copyOf(servers);
    }
  }

  /** Merges the Gateways selecting {@code proxy}. */
  public static MergedGateway of(MeshSnapshot snapshot, Proxy proxy) {
    List<ServiceTarget> targets = new ArrayList<>();
    for (String ip : proxy.ipAddresses()) {
      targets.addAll(snapshot.endpoints().targetsAt(ip));
    }
    Map<String, List<GatewayServer>> listeners = new LinkedHashMap<>();
    Map<String, Boolean> plaintext = new TreeMap<>();
    Map<String, List<GatewayServer>> routes = new TreeMap<>();
    Map<String, Map<String, String>> tlsHosts = new TreeMap<>();
    List<String> conflicts = new ArrayList<>();
    for (IstioConfig config :
        snapshot
            .gateways()
            .forWorkload(
                proxy.namespace(), proxy.labels(), snapshot.features().scopeGatewayToNamespace())) {
      for (Server s : config.spec(Gateway.class).servers()) {
        if (s.port() == null || s.port().number() == null || s.hosts().isEmpty()) {
          continue;
        }
        int port = resolvePort(s.port().number(), targets);
        GatewayServer probe = new GatewayServer(config, s, port, "");
        GatewayServer gs = new GatewayServer(config, s, port, routeName(probe));
        String bind = gs.bind().isEmpty() ? ResourceNames.WILDCARD_ADDRESS : gs.bind();
        String key = ResourceNames.listener(bind, port);
        if (s.tls() != null) {
          Map<String, String> known = tlsHosts.computeIfAbsent(key, k -> new TreeMap<>());
          List<String> dup = gs.plainHosts().stream().filter(known::containsKey).toList();
          if (!dup.isEmpty()) {
            conflicts.add(
                gs.what()
                    + ": hosts "
                    + dup
                    + " on listener "
                    + key
                    + " are already served by "
                    + known.get(dup.get(0))
                    + "; server skipped");
            continue;
          }
          gs.plainHosts().forEach(h -> known.put(h, gs.what()));
        }
        List<GatewayServer> existing = listeners.get(key);
        if (existing != null) {
          String why = conflict(gs, existing, plaintext.get(key), routes);
          if (why != null) {
            conflicts.add(
                gs.what()
                    + ": "
                    + why
                    + " on listener "
                    + key
                    + " ("
                    + existing.get(0).what()
                    + " is there first); server skipped");
            continue;
          }
          existing.add(gs);
        } else {
          listeners.put(key, new ArrayList<>(List.of(gs)));
          plaintext.put(key, !gs.tlsServer());
        }
        if (gs.httpServer() && !gs.routeName().isEmpty()) {
          routes.computeIfAbsent(gs.routeName(), k -> new ArrayList<>()).add(gs);
        }
      }
    }
    Map<String, Listener> out = new TreeMap<>();
    listeners.forEach(
        (key, servers) -> {
          GatewayServer first = servers.get(0);
          String bind = first.bind().isEmpty() ? ResourceNames.WILDCARD_ADDRESS : first.bind();
          out.put(key, new Listener(bind, first.listenerPort(), servers));
        });
    return new MergedGateway(out, routes, conflicts);
  }

  /** Why {@code s} cannot join the servers already on its listener, or null when it can. */
  private static String conflict(
      GatewayServer s,
      List<GatewayServer> existing,
      boolean plaintext,
      Map<String, List<GatewayServer>> routes) {
    if (plaintext) {
      boolean bothHttp = s.protocol().isHttp() && existing.get(0).protocol().isHttp();
      return bothHttp ? null : "protocol " + s.server().port().protocol() + " conflicts";
    }
    if (!s.tlsServer()) {
      return "a plain-text server cannot share a port with TLS servers";
    }
    if (s.httpServer() && routes.containsKey(s.routeName())) {
      return "route config " + s.routeName() + " is taken (duplicate HTTPS port name)";
    }
    return null;
  }

  /**
   * Istio's {@code resolvePorts}: the target port of the gateway Service port numbered {@code
   * number} among the Services selecting the proxy, else the number itself.
   */
  static int resolvePort(int number, List<ServiceTarget> targets) {
    for (ServiceTarget t : targets) {
      if (t.port().port() == number && t.endpoint().port() > 0) {
        return t.endpoint().port();
      }
    }
    return number;
  }

  private static String routeName(GatewayServer s) {
    if (s.protocol().isHttp()) {
      return ResourceNames.gatewayHttpRouteConfig(s.listenerPort(), s.bind());
    }
    if (s.httpServer()) {
      String portName = s.server().port().name() == null ? "" : s.server().port().name();
      return ResourceNames.gatewayHttpsRouteConfig(
          s.server().port().number(),
          portName,
          s.gateway().name(),
          s.gateway().namespace(),
          s.bind());
    }
    return "";
  }
}
