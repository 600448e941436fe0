package dev.meshctl.crds.validation;

import static dev.meshctl.crds.validation.Rules.q;

import dev.meshctl.crds.networking.Common.Port;
import dev.meshctl.crds.networking.Common.ServerTlsMode;
import dev.meshctl.crds.networking.Common.ServerTlsSettings;
import dev.meshctl.crds.networking.Gateway;
import dev.meshctl.crds.networking.ServiceEntry;
import dev.meshctl.crds.networking.ServiceEntry.Resolution;
import dev.meshctl.crds.networking.Sidecar;
import dev.meshctl.crds.networking.WorkloadEntry;
import java.util.HashSet;
import java.util.Set;

/** Istio's rules for Gateway, ServiceEntry, Sidecar and WorkloadEntry. Stateless. */
final class OtherRules {
  private static final Set<String> PROTOCOLS =
      Set.of(
          "HTTP",
          "HTTPS",
          "GRPC",
          "GRPC-WEB",
          "HTTP2",
          "MONGO",
          "MYSQL",
          "REDIS",
          "TCP",
          "TLS",
          "UDP",
          "HBONE");

  private OtherRules() {}

  static void gateway(Findings f, Gateway g) {
    for (int i = 0; i < g.servers().size(); i++) {
      var s = g.servers().get(i);
      String p = "spec.servers[" + i + "]";
      if (s.hosts().isEmpty()) {
        f.error(p + ".hosts", "at least one host is required");
      }
      for (int h = 0; h < s.hosts().size(); h++) {
        nsSlashHost(f, p + ".hosts[" + h + "]", s.hosts().get(h), true);
      }
      if (s.port() == null) {
        f.error(p + ".port", "required");
        continue;
      }
      port(f, p + ".port", s.port());
      if (s.port().name() == null || s.port().name().isEmpty()) {
        f.error(p + ".port.name", "required");
      }
      String proto =
          s.port().protocol() == null ? "" : s.port().protocol().toUpperCase(java.util.Locale.ROOT);
      boolean tlsProto = proto.equals("HTTPS") || proto.equals("TLS");
      if (tlsProto && s.tls() == null) {
        f.error(p + ".tls", "required for protocol " + s.port().protocol());
      } else if (!tlsProto && s.tls() != null) {
        boolean redirectOnly =
            Boolean.TRUE.equals(s.tls().httpsRedirect())
                && s.tls().serverCertificate() == null
                && s.tls().privateKey() == null
                && s.tls().caCertificates() == null;
        if (!proto.startsWith("HTTP") || !redirectOnly) {
          f.error(
              p + ".tls",
              "TLS settings are not allowed on a "
                  + s.port().protocol()
                  + " port (only httpsRedirect)");
        }
      }
      serverTls(f, p + ".tls", s.tls());
    }
  }

  private static void port(Findings f, String p, Port port) {
    if (port.number() == null) {
      f.error(p + ".number", "required");
    }
    Rules.port(f, p + ".number", port.number());
    if (port.protocol() != null
        && !PROTOCOLS.contains(port.protocol().toUpperCase(java.util.Locale.ROOT))) {
      f.error(p + ".protocol", "unknown protocol " + q(port.protocol()));
    }
  }

  private static void serverTls(Findings f, String p, ServerTlsSettings t) {
    if (t == null) {
      return;
    }
    ServerTlsMode mode = t.mode() == null ? ServerTlsMode.PASSTHROUGH : t.mode();
    boolean credential = t.credentialName() != null || !t.credentialNames().isEmpty();
    if (mode == ServerTlsMode.ISTIO_MUTUAL
        && (t.serverCertificate() != null
            || t.privateKey() != null
            || t.caCertificates() != null
            || credential
            || !t.tlsCertificates().isEmpty())) {
      f.error(p, "ISTIO_MUTUAL must not set certificates, keys or credentials");
    }
    if ((mode == ServerTlsMode.PASSTHROUGH || mode == ServerTlsMode.AUTO_PASSTHROUGH)
        && t.mode() != null
        && (t.serverCertificate() != null || t.privateKey() != null || credential)) {
      f.warn(p, mode + " does not use certificates, they are ignored");
    }
    boolean needsCert =
        mode == ServerTlsMode.SIMPLE
            || mode == ServerTlsMode.MUTUAL
            || mode == ServerTlsMode.OPTIONAL_MUTUAL;
    if (needsCert && !credential && t.tlsCertificates().isEmpty()) {
      if (t.serverCertificate() == null) {
        f.error(p + ".serverCertificate", "required for " + mode + " (or set credentialName)");
      }
      if (t.privateKey() == null) {
        f.error(p + ".privateKey", "required for " + mode + " (or set credentialName)");
      }
      if (mode != ServerTlsMode.SIMPLE && t.caCertificates() == null) {
        f.error(p + ".caCertificates", "required for " + mode + " (or set credentialName)");
      }
    }
  }

  /** {@code ns/host} (Sidecar, Gateway) or bare host (Gateway only). */
  static void nsSlashHost(Findings f, String p, String value, boolean gateway) {
    int slash = value.indexOf('/');
    if (slash < 0 && !gateway) {
      f.error(p, "must be of the form namespace/host, got " + q(value));
      return;
    }
    String ns = slash < 0 ? null : value.substring(0, slash);
    String host = slash < 0 ? value : value.substring(slash + 1);
    if (ns != null) {
      String bare = gateway ? ns : (ns.startsWith("~") ? ns.substring(1) : ns);
      if (ns.isEmpty() || host.isEmpty()) {
        f.error(p, "namespace and host must not be empty, got " + q(value));
        return;
      }
      if (!bare.isEmpty()
          && !bare.equals("*")
          && !bare.equals(".")
          && !Rules.isLowerDnsLabel(bare)) {
        f.error(p, "invalid namespace " + q(ns) + " in " + q(value));
      }
    }
    if (!host.equals("*") && !host.contains(".")) {
      f.error(p, "short host names are not allowed, got " + q(host));
    }
    String why = Rules.wildcardDomain(host);
    if (why != null && !(gateway && Rules.isIp(host))) {
      f.error(p, why);
    }
    if (host.length() > 1 && host.indexOf('*', 1) > 0) {
      f.error(p, "partial wildcard " + q(host) + " is not allowed (only a leading \"*\")");
    }
  }

  static void serviceEntry(Findings f, ServiceEntry se) {
    if (se.hosts().isEmpty()) {
      f.error("spec.hosts", "at least one host is required");
    }
    for (int i = 0; i < se.hosts().size(); i++) {
      String h = se.hosts().get(i);
      if (h.equals("*")) {
        f.error("spec.hosts[" + i + "]", "host \"*\" is not allowed");
        continue;
      }
      String why = Rules.wildcardDomain(h);
      if (why != null) {
        f.error("spec.hosts[" + i + "]", why);
      }
    }
    Resolution res = se.resolution() == null ? Resolution.NONE : se.resolution();
    boolean cidr = false;
    for (int i = 0; i < se.addresses().size(); i++) {
      String a = se.addresses().get(i);
      cidr |= a.contains("/");
      if (!Rules.isIpOrCidr(a)) {
        f.error("spec.addresses[" + i + "]", "must be an IP address or CIDR, got " + q(a));
      }
    }
    if (cidr && res != Resolution.NONE && res != Resolution.STATIC) {
      f.error(
          "spec.addresses",
          "CIDR addresses are allowed only with resolution NONE or STATIC, got " + res);
    }
    if (se.workloadSelector() != null && !se.endpoints().isEmpty()) {
      f.error("spec", "workloadSelector and endpoints must not both be set");
    }
    Set<String> names = new HashSet<>();
    Set<Integer> numbers = new HashSet<>();
    for (int i = 0; i < se.ports().size(); i++) {
      Port port = se.ports().get(i);
      String p = "spec.ports[" + i + "]";
      port(f, p, port);
      if (port.name() == null || port.name().isEmpty()) {
        f.error(p + ".name", "required");
      } else if (!names.add(port.name())) {
        f.error(p + ".name", "duplicate port name " + q(port.name()));
      }
      if (port.number() != null && !numbers.add(port.number())) {
        f.error(p + ".number", "duplicate port number " + port.number());
      }
      Rules.port(f, p + ".targetPort", port.targetPort());
    }
    switch (res) {
      case NONE -> {
        if (!se.endpoints().isEmpty()) {
          f.error("spec.endpoints", "must be empty with resolution NONE");
        }
      }
      case DNS, DNS_ROUND_ROBIN -> {
        if (se.endpoints().isEmpty()) {
          for (int i = 0; i < se.hosts().size(); i++) {
            if (Rules.fqdn(se.hosts().get(i)) != null && !se.hosts().get(i).equals("*")) {
              f.error(
                  "spec.hosts[" + i + "]",
                  "must be a fully qualified name without wildcard when resolution is "
                      + res
                      + " and there are no endpoints, got "
                      + q(se.hosts().get(i)));
            }
          }
        }
        if (res == Resolution.DNS_ROUND_ROBIN && se.endpoints().size() > 1) {
          f.error(
              "spec.endpoints",
              "at most one endpoint is allowed with resolution DNS_ROUND_ROBIN, got "
                  + se.endpoints().size());
        }
      }
      default -> {}
    }
    for (int i = 0; i < se.endpoints().size(); i++) {
      endpoint(f, "spec.endpoints[" + i + "]", se.endpoints().get(i), res, names);
    }
    Common.exportTo(f, se.exportTo(), true);
  }

  static void endpoint(
      Findings f, String p, WorkloadEntry e, Resolution res, Set<String> portNames) {
    String a = e.address();
    if (a == null || a.isEmpty()) {
      if (e.network() == null) {
        f.error(p + ".address", "required (or network)");
      }
    } else if (a.startsWith("unix://")) {
      if (!e.ports().isEmpty()) {
        f.error(p + ".ports", "must be empty for a unix domain socket address");
      }
    } else if (res == Resolution.STATIC && !Rules.isIp(a)) {
      f.error(p + ".address", "must be an IP address with resolution STATIC, got " + q(a));
    } else if (!Rules.isIp(a) && Rules.fqdn(a) != null) {
      f.error(p + ".address", "must be an IP address or a fully qualified name, got " + q(a));
    }
    Rules.labels(f, p + ".labels", e.labels());
    e.ports()
        .forEach(
            (name, number) -> {
              String pp = dev.meshctl.crds.decode.Paths.child(p + ".ports", name);
              if (portNames != null && !portNames.contains(name)) {
                f.error(pp, "port " + q(name) + " is not defined by the ServiceEntry");
              }
              Rules.port(f, pp, number);
            });
  }

  static void sidecar(Findings f, Sidecar s) {
    if (s.ingress().isEmpty()
        && s.egress().isEmpty()
        && s.outboundTrafficPolicy() == null
        && s.inboundConnectionPool() == null) {
      f.error("spec", "empty Sidecar");
    }
    Set<Integer> ingressPorts = new HashSet<>();
    for (int i = 0; i < s.ingress().size(); i++) {
      var in = s.ingress().get(i);
      String p = "spec.ingress[" + i + "]";
      if (in.port() == null) {
        f.error(p + ".port", "required");
      } else {
        port(f, p + ".port", in.port());
        if (in.port().number() != null && !ingressPorts.add(in.port().number())) {
          f.error(
              p + ".port.number",
              "ports on IP bound listeners must be unique, got " + in.port().number() + " twice");
        }
      }
      DestinationRuleRules.pool(f, p + ".connectionPool", in.connectionPool());
    }
    Set<Integer> egressPorts = new HashSet<>();
    Set<String> unixBinds = new HashSet<>();
    for (int i = 0; i < s.egress().size(); i++) {
      var eg = s.egress().get(i);
      String p = "spec.egress[" + i + "]";
      if (eg.hosts().isEmpty()) {
        f.error(p + ".hosts", "at least one host is required");
      }
      Set<String> seen = new HashSet<>();
      for (int h = 0; h < eg.hosts().size(); h++) {
        String host = eg.hosts().get(h);
        nsSlashHost(f, p + ".hosts[" + h + "]", host, false);
        if (!seen.add(host)) {
          f.warn(p + ".hosts[" + h + "]", "duplicate egress host " + q(host));
        }
      }
      if (eg.port() == null && i != s.egress().size() - 1) {
        f.error(p, "the egress listener without a port must be the last one");
      }
      if (eg.port() != null) {
        egressPort(f, p, eg, egressPorts, unixBinds);
      }
    }
    DestinationRuleRules.pool(f, "spec.inboundConnectionPool", s.inboundConnectionPool());
    if (s.outboundTrafficPolicy() != null && s.outboundTrafficPolicy().egressProxy() != null) {
      if (s.outboundTrafficPolicy().mode() != Sidecar.Mode.ALLOW_ANY) {
        f.error("spec.outboundTrafficPolicy.egressProxy", "only allowed with mode ALLOW_ANY");
      }
      VirtualServiceRules.destination(
          f, "spec.outboundTrafficPolicy.egressProxy", s.outboundTrafficPolicy().egressProxy());
    }
  }

  /**
   * An egress listener's port, bind and capture mode, as Istio checks them: port 0 is a Unix domain
   * socket listener (bind {@code unix://path}, capture DEFAULT or NONE, one per path); any other
   * port binds an IP address, and IP-bound ports are unique across the egress listeners.
   */
  private static void egressPort(
      Findings f, String p, Sidecar.EgressListener eg, Set<Integer> ports, Set<String> unixBinds) {
    Port port = eg.port();
    String bind = eg.bind() == null ? "" : eg.bind();
    if (port.number() != null && port.number() == 0) {
      if (!bind.startsWith(UNIX_PREFIX) || bind.length() == UNIX_PREFIX.length()) {
        f.error(
            p + ".bind",
            "ports with 0 value must have a unix domain socket bind address, got " + q(bind));
      } else if (!unixBinds.add(bind)) {
        f.error(
            p + ".bind",
            "unix domain socket values for listeners must be unique, got " + q(bind) + " twice");
      }
      if (eg.captureMode() == Sidecar.CaptureMode.IPTABLES) {
        f.error(
            p + ".captureMode",
            "must be DEFAULT or NONE for unix domain socket listeners, got IPTABLES");
      }
      if (port.protocol() != null
          && !PROTOCOLS.contains(port.protocol().toUpperCase(java.util.Locale.ROOT))) {
        f.error(p + ".port.protocol", "unknown protocol " + q(port.protocol()));
      }
      return;
    }
    port(f, p + ".port", port);
    if (!bind.isEmpty() && !Rules.isIp(bind)) {
      f.error(p + ".bind", "invalid IP address " + q(bind));
    }
    if (port.number() != null && !ports.add(port.number())) {
      f.error(
          p + ".port.number",
          "ports on IP bound listeners must be unique, got " + port.number() + " twice");
    }
  }

  private static final String UNIX_PREFIX = "unix://";
}
