package dev.meshctl.xds.translate.sidecar;

import dev.meshctl.crds.networking.Sidecar;
import dev.meshctl.xds.model.IstioHosts;
import dev.meshctl.xds.model.Service;
import dev.meshctl.xds.model.ServicePort;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;

/**
 * Which services a proxy may call, as Istio's {@code SidecarScope} decides: a service must be
 * exported to the proxy's namespace ({@code exportTo}) and, when a Sidecar resource applies,
 * imported by one of its egress listeners. An egress host is {@code namespace/dnsName}: the
 * namespace is a name, {@code .} (the proxy's namespace, which is the Sidecar's own unless it is
 * the root namespace's default), {@code *} (any) or {@code ~} (none); the DNS name is exact, {@code
 * *} or {@code *.suffix}. An egress listener with a {@code port} imports only that port of the
 * services it names. Pure; any thread.
 */
public final class SidecarEgress {
  private SidecarEgress() {}

  /**
   * The visible services, each reduced to its imported ports (services left without ports are
   * dropped), in the input's order.
   *
   * @param sidecar the Sidecar resource that applies, or {@code null}
   * @param sidecarNamespace the namespace {@code .} stands for: the proxy's
   */
  public static List<Service> visible(
      Collection<Service> services,
      String domainSuffix,
      String proxyNamespace,
      Sidecar sidecar,
      String sidecarNamespace) {
    List<Service> out = new ArrayList<>();
    for (Service s : services) {
      if (!IstioHosts.visible(s.attributes().exportTo(), s.id().namespace(), proxyNamespace)) {
        continue;
      }
      if (sidecar == null || sidecar.egress() == null || sidecar.egress().isEmpty()) {
        out.add(s);
        continue;
      }
      List<ServicePort> ports = new ArrayList<>();
      for (ServicePort p : s.ports()) {
        if (imported(sidecar, sidecarNamespace, s, s.hostname(domainSuffix), p.port())) {
          ports.add(p);
        }
      }
      if (ports.size() == s.ports().size()) {
        out.add(s);
      } else if (!ports.isEmpty()) {
        out.add(
            new Service(s.id(), s.labels(), s.selector(), s.clusterIp(), ports, s.attributes()));
      }
    }
    return out;
  }

  private static boolean imported(
      Sidecar sidecar, String sidecarNamespace, Service s, String host, int port) {
    for (Sidecar.EgressListener l : sidecar.egress()) {
      if (l.port() != null && l.port().number() != null && l.port().number() != port) {
        continue;
      }
      for (String h : l.hosts() == null ? List.<String>of() : l.hosts()) {
        if (matches(h, sidecarNamespace, s.id().namespace(), host)) {
          return true;
        }
      }
    }
    return false;
  }

  /** Whether egress host {@code spec} imports {@code host} of a service in {@code namespace}. */
  static boolean matches(String spec, String sidecarNamespace, String namespace, String host) {
    int slash = spec.indexOf('/');
    if (slash < 0) {
      return false; // validation rejects hosts without a namespace part
    }
    String ns = spec.substring(0, slash);
    String name = spec.substring(slash + 1).toLowerCase(Locale.ROOT);
    boolean nsOk =
        ns.equals("*")
            || (ns.equals(".") && namespace.equals(sidecarNamespace))
            || ns.equals(namespace);
    return nsOk && IstioHosts.matches(name, host);
  }
}
