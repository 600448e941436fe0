package dev.meshctl.controlplane.analyze;

import dev.meshctl.controlplane.analyze.Catalog.Located;
import dev.meshctl.crds.IstioKind;
import dev.meshctl.crds.decode.IstioConfig;
import dev.meshctl.crds.networking.Common.Destination;
import dev.meshctl.crds.networking.DestinationRule;
import dev.meshctl.crds.networking.ServiceEntry;
import dev.meshctl.crds.networking.VirtualService;
import dev.meshctl.xds.model.Protocol;
import dev.meshctl.xds.model.Service;
import dev.meshctl.xds.model.ServicePort;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Checks references between the objects of one analysis, as Istio's analyzers do (codes in the
 * messages are Istio's, so their documentation applies):
 *
 * <ul>
 *   <li>IST0101 (error): a VirtualService destination or mirror host that is neither a Service nor
 *       a ServiceEntry host; a destination subset that no DestinationRule for the host defines; a
 *       {@code gateways} entry naming no Gateway ({@code mesh} excepted).
 *   <li>IST0109 (error): two VirtualServices bound to the mesh gateway claim the same host.
 *   <li>IST0118 (Istio: info; here a warning): a Service port whose name names no protocol and that
 *       has no {@code appProtocol}.
 *   <li>(warning, no Istio code) a DestinationRule whose host matches no Service or ServiceEntry.
 * </ul>
 *
 * Host checks need a registry: they run only when the inputs declare at least one Service or
 * ServiceEntry. Stateless; any thread.
 */
final class ReferenceChecks {
  /** Namespaces whose Services Istio's port-name check skips. */
  private static final Set<String> SYSTEM_NAMESPACES =
      Set.of("kube-system", "kube-public", "kube-node-lease", "istio-system");

  private static final String MESH = "mesh";

  private ReferenceChecks() {}

  /** A destination inside a VirtualService, with its field path and whether it is a mirror. */
  private record Dest(String path, Destination destination, boolean mirror) {}

  /** Runs every check, appending findings to {@code out}; returns whether hosts were checked. */
  static boolean run(Catalog catalog, List<Diagnostic> out) {
    List<String> knownHosts = new ArrayList<>(catalog.serviceHosts());
    for (Located<IstioConfig> se : catalog.of(IstioKind.SERVICE_ENTRY)) {
      for (String h : se.object().spec(ServiceEntry.class).hosts()) {
        knownHosts.add(Hosts.fqdn(h, se.object().namespace()));
      }
    }
    boolean checkHosts = !knownHosts.isEmpty();
    Set<String> gateways = new HashSet<>();
    for (Located<IstioConfig> gw : catalog.of(IstioKind.GATEWAY)) {
      gateways.add(gw.object().namespace() + "/" + gw.object().name());
    }
    List<Located<IstioConfig>> rules = catalog.of(IstioKind.DESTINATION_RULE);

    Map<String, VirtualService> delegates = new LinkedHashMap<>();
    for (Located<IstioConfig> vs : catalog.of(IstioKind.VIRTUAL_SERVICE)) {
      VirtualService spec = vs.object().spec(VirtualService.class);
      if (spec.hosts().isEmpty()) {
        delegates.put(vs.object().namespace() + "/" + vs.object().name(), spec);
      }
    }
    for (Located<IstioConfig> vs : catalog.of(IstioKind.VIRTUAL_SERVICE)) {
      checkGateways(vs, gateways, out);
      checkDelegates(vs, delegates, out);
      for (Dest d : destinations(vs.object().spec(VirtualService.class))) {
        String host = d.destination().host();
        if (host == null || host.isEmpty()) {
          continue; // the validator reports a missing host
        }
        String fqdn = Hosts.fqdn(host, vs.object().namespace());
        if (checkHosts && !Hosts.isWildcard(fqdn) && !known(knownHosts, fqdn)) {
          report(
              out,
              vs,
              true,
              d.path() + ".host",
              "referenced "
                  + (d.mirror() ? "mirror host" : "host")
                  + " not found: "
                  + q(host)
                  + " (IST0101)");
        }
        String subset = d.destination().subset();
        if (subset != null && !subset.isEmpty() && !subsetsOf(rules, fqdn).contains(subset)) {
          report(
              out,
              vs,
              true,
              d.path() + ".subset",
              "referenced "
                  + (d.mirror() ? "mirror" : "host")
                  + "+subset in destinationrule not found: "
                  + q(host + "+" + subset)
                  + " (IST0101)");
        }
      }
    }
    checkMeshHostConflicts(catalog.of(IstioKind.VIRTUAL_SERVICE), out);
    if (checkHosts) {
      for (Located<IstioConfig> dr : rules) {
        String host = dr.object().spec(DestinationRule.class).host();
        if (host == null || host.isEmpty()) {
          continue;
        }
        String fqdn = Hosts.fqdn(host, dr.object().namespace());
        boolean covered =
            known(knownHosts, fqdn)
                || (Hosts.isWildcard(fqdn)
                    && knownHosts.stream().anyMatch(k -> Hosts.matches(fqdn, k)));
        if (!covered) {
          report(
              out,
              dr,
              false,
              "spec.host",
              "host "
                  + q(host)
                  + " matches no Service or ServiceEntry in the inputs, so this rule applies to"
                  + " no traffic");
        }
      }
    }
    for (Located<Service> s : catalog.services()) {
      checkPortNames(s, out);
    }
    return checkHosts;
  }

  private static void checkGateways(
      Located<IstioConfig> vs, Set<String> gateways, List<Diagnostic> out) {
    List<String> names = vs.object().spec(VirtualService.class).gateways();
    for (int i = 0; i < names.size(); i++) {
      String name = names.get(i);
      if (name == null || name.equals(MESH)) {
        continue;
      }
      String full = name.contains("/") ? name : vs.object().namespace() + "/" + name;
      if (!gateways.contains(full)) {
        report(
            out,
            vs,
            true,
            "spec.gateways[" + i + "]",
            "referenced gateway not found: " + q(name) + " (IST0101)");
      }
    }
  }

  /**
   * A root rule's {@code delegate} must name a VirtualService without hosts (namespace defaulting
   * to the root's) that is exported to the root's namespace; otherwise the rule is dropped.
   */
  private static void checkDelegates(
      Located<IstioConfig> vs, Map<String, VirtualService> delegates, List<Diagnostic> out) {
    String ns = vs.object().namespace();
    List<VirtualService.HttpRoute> http = vs.object().spec(VirtualService.class).http();
    for (int i = 0; i < http.size(); i++) {
      VirtualService.Delegate d = http.get(i).delegate();
      if (d == null || d.name() == null) {
        continue;
      }
      String full =
          (d.namespace() == null || d.namespace().isEmpty() ? ns : d.namespace()) + "/" + d.name();
      VirtualService target = delegates.get(full);
      List<String> exportTo = target == null ? List.of() : target.exportTo();
      String targetNs = full.substring(0, full.indexOf('/'));
      boolean visible =
          exportTo.isEmpty()
              || exportTo.contains("*")
              || exportTo.contains(ns)
              || (exportTo.contains(".") && targetNs.equals(ns));
      if (target == null || !visible) {
        report(
            out,
            vs,
            true,
            "spec.http[" + i + "].delegate",
            "referenced delegate VirtualService "
                + (target == null ? "not found: " : "not exported to namespace " + ns + ": ")
                + q(full)
                + " (IST0101)");
      }
    }
  }

  /**
   * IST0109: hosts of mesh-bound VirtualServices, keyed by export scope and FQDN. VirtualServices
   * bound to named gateways are not compared: for gateways Istio merges them by design.
   */
  private static void checkMeshHostConflicts(
      List<Located<IstioConfig>> services, List<Diagnostic> out) {
    record Claim(Located<IstioConfig> vs, int hostIndex) {}
    Map<String, List<Claim>> claims = new LinkedHashMap<>();
    Map<String, String> hostOfKey = new LinkedHashMap<>();
    for (Located<IstioConfig> located : services) {
      VirtualService vs = located.object().spec(VirtualService.class);
      if (!vs.gateways().isEmpty() && !vs.gateways().contains(MESH)) {
        continue;
      }
      String ns = located.object().namespace();
      Set<String> scopes = new LinkedHashSet<>();
      if (vs.exportTo().isEmpty() || vs.exportTo().contains("*")) {
        scopes.add("*");
      } else {
        vs.exportTo().forEach(e -> scopes.add(e.equals(".") ? ns : e));
      }
      for (int i = 0; i < vs.hosts().size(); i++) {
        String fqdn = Hosts.fqdn(vs.hosts().get(i), ns);
        for (String scope : scopes) {
          String key = scope + " " + fqdn;
          claims.computeIfAbsent(key, k -> new ArrayList<>()).add(new Claim(located, i));
          hostOfKey.put(key, fqdn);
        }
      }
    }
    for (Map.Entry<String, List<Claim>> e : claims.entrySet()) {
      Set<String> names = new TreeSet<>();
      e.getValue()
          .forEach(c -> names.add(c.vs().object().namespace() + "/" + c.vs().object().name()));
      if (names.size() < 2) {
        continue;
      }
      for (Claim c : e.getValue()) {
        report(
            out,
            c.vs(),
            true,
            "spec.hosts[" + c.hostIndex() + "]",
            "VirtualServices "
                + String.join(", ", names)
                + " bound to the mesh gateway claim the same host "
                + hostOfKey.get(e.getKey())
                + ", so which one routes it is undefined; merge them into one VirtualService"
                + " (IST0109)");
      }
    }
  }

  private static void checkPortNames(Located<Service> located, List<Diagnostic> out) {
    Service s = located.object();
    if (SYSTEM_NAMESPACES.contains(s.id().namespace())) {
      return;
    }
    for (int i = 0; i < s.ports().size(); i++) {
      ServicePort p = s.ports().get(i);
      if (p.protocol() != Protocol.UNSUPPORTED) {
        continue;
      }
      String target = p.targetPortName().isEmpty() ? "" + p.targetPort() : p.targetPortName();
      out.add(
          Diagnostic.warning(
              located.file(),
              located.document(),
              s.key().toString(),
              "spec.ports["
                  + i
                  + "].name: port name "
                  + q(p.name())
                  + " (port "
                  + p.port()
                  + ", targetPort "
                  + target
                  + ") names no protocol and appProtocol is not set, so the protocol is sniffed;"
                  + " name it <protocol>[-<suffix>] (http, http2, grpc, tcp, tls, ...) or set"
                  + " appProtocol (IST0118)"));
    }
  }

  /** Every destination of a VirtualService's http, tcp and tls rules, then http mirrors. */
  private static List<Dest> destinations(VirtualService vs) {
    List<Dest> out = new ArrayList<>();
    for (int i = 0; i < vs.http().size(); i++) {
      VirtualService.HttpRoute r = vs.http().get(i);
      String p = "spec.http[" + i + "]";
      for (int j = 0; j < r.route().size(); j++) {
        add(out, p + ".route[" + j + "].destination", r.route().get(j).destination(), false);
      }
      add(out, p + ".mirror", r.mirror(), true);
      for (int k = 0; k < r.mirrors().size(); k++) {
        add(out, p + ".mirrors[" + k + "].destination", r.mirrors().get(k).destination(), true);
      }
    }
    for (int i = 0; i < vs.tcp().size(); i++) {
      List<VirtualService.RouteDestination> route = vs.tcp().get(i).route();
      for (int j = 0; j < route.size(); j++) {
        add(
            out,
            "spec.tcp[" + i + "].route[" + j + "].destination",
            route.get(j).destination(),
            false);
      }
    }
    for (int i = 0; i < vs.tls().size(); i++) {
      List<VirtualService.RouteDestination> route = vs.tls().get(i).route();
      for (int j = 0; j < route.size(); j++) {
        add(
            out,
            "spec.tls[" + i + "].route[" + j + "].destination",
            route.get(j).destination(),
            false);
      }
    }
    return out;
  }

  private static void add(List<Dest> out, String path, Destination d, boolean mirror) {
    if (d != null) {
      out.add(new Dest(path, d, mirror));
    }
  }

  /**
   * The subsets the DestinationRules for {@code fqdn} define: those of rules for exactly that host,
   * else those of the most specific wildcard rules covering it (the rule Istio applies).
   */
  private static Set<String> subsetsOf(List<Located<IstioConfig>> rules, String fqdn) {
    List<DestinationRule> exact = new ArrayList<>();
    List<DestinationRule> wildcard = new ArrayList<>();
    int longest = -1;
    for (Located<IstioConfig> located : rules) {
      DestinationRule dr = located.object().spec(DestinationRule.class);
      if (dr.host() == null) {
        continue;
      }
      String host = Hosts.fqdn(dr.host(), located.object().namespace());
      if (host.equals(fqdn)) {
        exact.add(dr);
      } else if (Hosts.isWildcard(host) && Hosts.matches(host, fqdn)) {
        if (host.length() > longest) {
          wildcard.clear();
          longest = host.length();
        }
        if (host.length() == longest) {
          wildcard.add(dr);
        }
      }
    }
    Set<String> subsets = new HashSet<>();
    for (DestinationRule dr : exact.isEmpty() ? wildcard : exact) {
      dr.subsets().forEach(s -> subsets.add(s.name()));
    }
    return subsets;
  }

  private static boolean known(List<String> knownHosts, String fqdn) {
    return knownHosts.stream().anyMatch(k -> Hosts.matches(k, fqdn));
  }

  private static void report(
      List<Diagnostic> out, Located<IstioConfig> at, boolean error, String path, String message) {
    String detail = path + ": " + message;
    out.add(
        error
            ? Diagnostic.error(at.file(), at.document(), at.object().what(), detail)
            : Diagnostic.warning(at.file(), at.document(), at.object().what(), detail));
  }

  /** A value in double quotes, as validator messages quote values. */
  private static String q(String value) {
    return '"' + value.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
  }
}
