package dev.meshctl.crds.validation;

import dev.meshctl.crds.decode.IstioConfig;
import dev.meshctl.crds.networking.DestinationRule;
import dev.meshctl.crds.networking.Gateway;
import dev.meshctl.crds.networking.NetworkingSpec;
import dev.meshctl.crds.networking.ServiceEntry;
import dev.meshctl.crds.networking.Sidecar;
import dev.meshctl.crds.networking.VirtualService;
import dev.meshctl.crds.networking.WorkloadEntry;

/**
 * Istio's semantic validation of networking objects (after decoding): durations, percentages,
 * regexes, hosts, ports, subset names, mutually exclusive fields, weights, TLS modes, ServiceEntry
 * resolution rules, Sidecar hosts. Reports every error and warning at once, each naming resource,
 * field path and value. Stateless; any thread.
 */
public final class NetworkingValidator {
  private NetworkingValidator() {}

  /** Validates one decoded object. */
  public static ValidationReport validate(IstioConfig config) {
    Findings f = new Findings(config.what());
    NetworkingSpec spec = config.spec();
    if (spec instanceof VirtualService vs) {
      VirtualServiceRules.validate(f, vs);
    } else if (spec instanceof DestinationRule dr) {
      DestinationRuleRules.validate(f, dr);
    } else if (spec instanceof Gateway g) {
      OtherRules.gateway(f, g);
    } else if (spec instanceof ServiceEntry se) {
      OtherRules.serviceEntry(f, se);
    } else if (spec instanceof Sidecar s) {
      OtherRules.sidecar(f, s);
    } else if (spec instanceof WorkloadEntry we) {
      OtherRules.endpoint(f, "spec", we, ServiceEntry.Resolution.DNS, null);
    }
    return f.report();
  }
}
