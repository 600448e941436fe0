package dev.meshctl.xds.model;

import dev.meshctl.crds.decode.IstioConfig;
import dev.meshctl.crds.networking.DestinationRule;
import dev.meshctl.crds.networking.VirtualService;
import java.util.ArrayList;
import java.util.List;

/**
 * Fills in the mesh config's {@code defaultServiceExportTo}, {@code defaultVirtualServiceExportTo}
 * and {@code defaultDestinationRuleExportTo} where a Service, ServiceEntry, VirtualService or
 * DestinationRule sets no {@code exportTo}, once per snapshot, so every visibility check (which
 * reads an empty {@code exportTo} as "everywhere") sees the default Istio would apply. With Istio's
 * defaults (everywhere) nothing is copied. Pure; any thread.
 */
final class ExportToDefaults {
  private ExportToDefaults() {}

  static List<Service> services(List<Service> services, List<String> exportTo) {
    if (exportTo.isEmpty()) {
      return services;
    }
    List<Service> out = new ArrayList<>(services.size());
    for (Service s : services) {
      ServiceAttributes a = s.attributes();
      if (!a.exportTo().isEmpty()) {
        out.add(s);
        continue;
      }
      out.add(
          new Service(
              s.id(),
              s.labels(),
              s.selector(),
              s.clusterIp(),
              s.ports(),
              new ServiceAttributes(
                  a.host(),
                  a.resolution(),
                  a.meshExternal(),
                  a.addresses(),
                  exportTo,
                  a.subjectAltNames(),
                  a.source(),
                  a.trafficDistribution())));
    }
    return out;
  }

  static List<IstioConfig> virtualServices(List<IstioConfig> configs, List<String> exportTo) {
    if (exportTo.isEmpty()) {
      return configs;
    }
    List<IstioConfig> out = new ArrayList<>(configs.size());
    for (IstioConfig c : configs) {
      VirtualService vs = c.spec(VirtualService.class);
      out.add(
          vs.exportTo() != null && !vs.exportTo().isEmpty()
              ? c
              : c.withSpec(
                  new VirtualService(
                      vs.hosts(), vs.gateways(), vs.http(), vs.tls(), vs.tcp(), exportTo)));
    }
    return out;
  }

  static List<IstioConfig> destinationRules(List<IstioConfig> configs, List<String> exportTo) {
    if (exportTo.isEmpty()) {
      return configs;
    }
    List<IstioConfig> out = new ArrayList<>(configs.size());
    for (IstioConfig c : configs) {
      DestinationRule dr = c.spec(DestinationRule.class);
      out.add(
          dr.exportTo() != null && !dr.exportTo().isEmpty()
              ? c
              : c.withSpec(
                  new DestinationRule(
                      dr.host(),
                      dr.trafficPolicy(),
                      dr.subsets(),
                      exportTo,
                      dr.workloadSelector())));
    }
    return out;
  }
}
