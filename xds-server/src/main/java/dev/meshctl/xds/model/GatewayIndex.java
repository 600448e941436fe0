package dev.meshctl.xds.model;

import dev.meshctl.crds.decode.IstioConfig;
import dev.meshctl.crds.networking.Gateway;
import dev.meshctl.crds.networking.VirtualService;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Istio {@code Gateway}s and the VirtualServices bound to them. A gateway workload (a {@code
 * router} proxy) is configured by every Gateway whose {@code selector} its labels contain, in any
 * namespace (Istio's default {@code PILOT_SCOPE_GATEWAY_TO_NAMESPACE=false}) or only its own when
 * scoped. A VirtualService binds to a Gateway through {@code gateways}: {@code ns/name}, or a short
 * name resolved in the VirtualService's namespace. Lists are in (namespace, name) order, since
 * files carry no creation time. Immutable once built; any thread.
 */
public final class GatewayIndex {
  private static final Comparator<IstioConfig> ORDER =
      Comparator.comparing(IstioConfig::namespace).thenComparing(IstioConfig::name);

  private final List<IstioConfig> gateways;
  private final List<IstioConfig> virtualServices;

  private GatewayIndex(List<IstioConfig> gateways, List<IstioConfig> virtualServices) {
    this.gateways = List.copyOf(gateways);
    this.virtualServices = List.copyOf(virtualServices);
  }

  /** An index with no Gateway. */
  public static GatewayIndex empty() {
    return new GatewayIndex(List.of(), List.of());
  }

  /** Indexes Gateway configs and every VirtualService config (mesh-bound ones are ignored). */
  public static GatewayIndex build(
      Collection<IstioConfig> gateways, Collection<IstioConfig> virtualServices) {
    List<IstioConfig> g = new ArrayList<>(gateways);
    g.sort(ORDER);
    List<IstioConfig> v = new ArrayList<>();
    for (IstioConfig c : virtualServices) {
      List<String> names = c.spec(VirtualService.class).gateways();
      if (names != null && names.stream().anyMatch(n -> !n.equals("mesh"))) {
        v.add(c);
      }
    }
    v.sort(ORDER);
    return new GatewayIndex(g, v);
  }

  /**
   * True when this index holds the same Gateways and gateway-bound VirtualServices as {@code
   * other}.
   */
  public boolean sameAs(GatewayIndex other) {
    return gateways.equals(other.gateways) && virtualServices.equals(other.virtualServices);
  }

  /** Every Gateway, in (namespace, name) order. */
  public List<IstioConfig> all() {
    return gateways;
  }

  /**
   * The Gateways selecting a workload with {@code labels} in {@code namespace}: an empty selector
   * selects nothing (Istio would select every workload; for a gateway that is never intended).
   *
   * @param scopeToNamespace only Gateways of the workload's own namespace
   */
  public List<IstioConfig> forWorkload(
      String namespace, Map<String, String> labels, boolean scopeToNamespace) {
    List<IstioConfig> out = new ArrayList<>();
    for (IstioConfig c : gateways) {
      Map<String, String> selector = c.spec(Gateway.class).selector();
      if (selector == null || selector.isEmpty()) {
        continue;
      }
      if (scopeToNamespace && !c.namespace().equals(namespace)) {
        continue;
      }
      if (labels.entrySet().containsAll(selector.entrySet())) {
        out.add(c);
      }
    }
    return out;
  }

  /**
   * The VirtualServices bound to Gateway {@code gatewayNamespace/gatewayName} and exported to
   * {@code proxyNamespace}, in (namespace, name) order.
   */
  public List<IstioConfig> virtualServicesFor(
      String gatewayNamespace, String gatewayName, String proxyNamespace) {
    List<IstioConfig> out = new ArrayList<>();
    for (IstioConfig c : virtualServices) {
      VirtualService vs = c.spec(VirtualService.class);
      if (bindsTo(vs.gateways(), c.namespace(), gatewayNamespace, gatewayName)
          && IstioHosts.visible(vs.exportTo(), c.namespace(), proxyNamespace)) {
        out.add(c);
      }
    }
    return out;
  }

  /**
   * Whether a {@code gateways} list of a config in {@code configNamespace} names the Gateway:
   * {@code ns/name} exactly, or {@code name} when the config is in the Gateway's namespace.
   */
  public static boolean bindsTo(
      List<String> names, String configNamespace, String gatewayNamespace, String gatewayName) {
    if (names == null) {
      return false;
    }
    for (String n : names) {
      int slash = n.indexOf('/');
      if (slash >= 0) {
        if (n.substring(0, slash).equals(gatewayNamespace)
            && n.substring(slash + 1).equals(gatewayName)) {
          return true;
        }
      } else if (n.equals(gatewayName) && configNamespace.equals(gatewayNamespace)) {
        return true;
      }
    }
    return false;
  }

  /** True when no Gateway is indexed. */
  public boolean isEmpty() {
    return gateways.isEmpty();
  }
}
