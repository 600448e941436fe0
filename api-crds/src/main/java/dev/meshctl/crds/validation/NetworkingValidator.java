package dev.meshctl.crds.validation;

import dev.meshctl.crds.IstioSpec;
import dev.meshctl.crds.decode.IstioConfig;
import dev.meshctl.crds.networking.DestinationRule;
import dev.meshctl.crds.networking.EnvoyFilter;
import dev.meshctl.crds.networking.Gateway;
import dev.meshctl.crds.networking.ServiceEntry;
import dev.meshctl.crds.networking.Sidecar;
import dev.meshctl.crds.networking.VirtualService;
import dev.meshctl.crds.networking.WorkloadEntry;
import dev.meshctl.crds.networking.WorkloadGroup;
import dev.meshctl.crds.security.AuthorizationPolicy;
import dev.meshctl.crds.security.PeerAuthentication;
import dev.meshctl.crds.security.RequestAuthentication;

/**
 * Istio's semantic validation of networking and security objects (after decoding): durations,
 * percentages, regexes, hosts, ports, subset names, mutually exclusive fields, weights, TLS modes,
 * ServiceEntry resolution rules, Sidecar hosts; PeerAuthentication port levels, AuthorizationPolicy
 * actions, sources, operations and conditions, RequestAuthentication JWT rules. Reports every error
 * and warning at once, each naming resource, field path and value. Stateless; any thread.
 */
public final class NetworkingValidator {
  private NetworkingValidator() {}

  /** Validates one decoded object. */
  public static ValidationReport validate(IstioConfig config) {
    Findings f = new Findings(config.what());
    IstioSpec spec = config.spec();
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
    } else if (spec instanceof WorkloadGroup wg) {
      WorkloadGroupRules.validate(f, wg);
    } else if (spec instanceof EnvoyFilter ef) {
      EnvoyFilterRules.validate(f, ef);
    } else if (spec instanceof PeerAuthentication pa) {
      SecurityRules.peerAuthentication(f, pa);
    } else if (spec instanceof AuthorizationPolicy ap) {
      AuthorizationPolicyRules.validate(f, ap);
    } else if (spec instanceof RequestAuthentication ra) {
      RequestAuthenticationRules.validate(f, ra);
    }
    return f.report();
  }
}
