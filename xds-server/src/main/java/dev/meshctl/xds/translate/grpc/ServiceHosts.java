package dev.meshctl.xds.translate.grpc;

import com.google.common.net.HostAndPort;
import dev.meshctl.xds.model.NamespacedName;
import dev.meshctl.xds.model.Service;
import dev.meshctl.xds.model.ServiceIndex;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * The names a gRPC client may dial a service by, in both directions: resolving a dialled host
 * ({@code reviews}, {@code reviews.default}, {@code reviews.default.svc} or the FQDN) to a service,
 * and listing every such name as virtual host domains. Short names follow Kubernetes DNS search
 * rules: a bare name is relative to the client's own namespace, {@code name.ns} and {@code
 * name.ns.svc} name a service in any namespace. Stateless; any thread.
 */
final class ServiceHosts {
  private static final String SVC = "svc";

  private ServiceHosts() {}

  /**
   * The service a client in {@code clientNamespace} reaches by dialling {@code host}, or empty.
   * Case-insensitive, and a trailing dot (absolute DNS name) is ignored.
   */
  static Optional<Service> resolve(ServiceIndex services, String host, String clientNamespace) {
    String h = host.toLowerCase(Locale.ROOT);
    if (h.endsWith(".")) {
      h = h.substring(0, h.length() - 1);
    }
    if (h.endsWith("." + SVC + "." + services.domainSuffix())) {
      return services.byHost(h);
    }
    // A ServiceEntry host is dialled as written.
    Optional<Service> entry = services.byHost(h).filter(s -> s.attributes().fromServiceEntry());
    if (entry.isPresent()) {
      return entry;
    }
    String[] labels = h.split("\\.", -1);
    NamespacedName id;
    if (labels.length == 1 && !clientNamespace.isEmpty()) {
      id = NamespacedName.of(clientNamespace, labels[0]);
    } else if (labels.length == 2 || (labels.length == 3 && SVC.equals(labels[2]))) {
      id = NamespacedName.of(labels[1], labels[0]);
    } else {
      return Optional.empty();
    }
    if (id.name().isEmpty() || id.namespace().isEmpty()) {
      return Optional.empty();
    }
    return services.byId(id);
  }

  /**
   * Every authority a client in {@code clientNamespace} may use for {@code service} on {@code
   * port}, with and without the port, sorted: the FQDN, {@code name.ns.svc}, {@code name.ns}, the
   * bare name only from the service's own namespace, and the VIP when the service has one (for a
   * ServiceEntry: its host and its addresses). grpc matches the authority of the dialled target
   * against these domains exactly, so a missing form means "no route" for clients that dial it.
   */
  static List<String> domains(
      Service service, int port, String domainSuffix, String clientNamespace) {
    NamespacedName id = service.id();
    SortedSet<String> hosts = new TreeSet<>();
    hosts.add(service.hostname(domainSuffix));
    if (service.attributes().fromServiceEntry()) {
      // A ServiceEntry host has no short forms; its other addresses are dialled as written.
      for (String a : service.attributes().addresses()) {
        if (a.indexOf('/') < 0) {
          hosts.add(a);
        }
      }
    } else {
      hosts.add(id.name() + "." + id.namespace() + "." + SVC);
      hosts.add(id.name() + "." + id.namespace());
      if (id.namespace().equals(clientNamespace)) {
        hosts.add(id.name());
      }
    }
    if (!service.vip().isEmpty()) {
      hosts.add(service.vip());
    }
    SortedSet<String> domains = new TreeSet<>();
    for (String host : hosts) {
      // HostAndPort brackets IPv6 VIPs ("[fd00::1]:80"), as they appear in an authority.
      HostAndPort withPort = HostAndPort.fromParts(host, port);
      domains.add(host.contains(":") ? "[" + host + "]" : host);
      domains.add(withPort.toString());
    }
    return List.copyOf(domains);
  }
}
