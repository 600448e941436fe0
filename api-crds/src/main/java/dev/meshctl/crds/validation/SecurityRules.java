package dev.meshctl.crds.validation;

import static dev.meshctl.crds.validation.Rules.q;

import dev.meshctl.crds.decode.Paths;
import dev.meshctl.crds.networking.Common.MatchLabelsSelector;
import dev.meshctl.crds.security.PeerAuthentication;
import dev.meshctl.crds.security.PolicyTargetReference;
import java.util.List;
import java.util.Set;

/**
 * Istio's rules for {@code security.istio.io} objects shared by the three kinds (workload selector,
 * target references) and PeerAuthentication's own. AuthorizationPolicy and RequestAuthentication
 * have their own classes. Stateless.
 */
final class SecurityRules {
  /** group/kind a policy may target; Istio refuses anything else. Core group is "". */
  private static final Set<String> TARGET_KINDS =
      Set.of(
          "/Service",
          "networking.istio.io/ServiceEntry",
          "gateway.networking.k8s.io/Gateway",
          "gateway.networking.k8s.io/GatewayClass");

  private SecurityRules() {}

  static void peerAuthentication(Findings f, PeerAuthentication pa) {
    selector(f, pa.selector());
    boolean noSelector = pa.selector() == null || pa.selector().matchLabels().isEmpty();
    if (noSelector && !pa.portLevelMtls().isEmpty()) {
      // A port means nothing without a workload: mesh and namespace policies cover every port.
      f.error(
          "spec.portLevelMtls",
          "port-level mTLS needs a workload selector (mesh- and namespace-wide policies cannot set"
              + " it)");
    }
    pa.portLevelMtls()
        .forEach(
            (port, mtls) -> {
              if (portNumber(port) < 0) {
                f.error(
                    Paths.child("spec.portLevelMtls", port),
                    "port must be a number in 1..65535, got " + q(port));
              }
            });
  }

  /** The port number a {@code portLevelMtls} key names, or -1 when it is not a valid port. */
  static int portNumber(String key) {
    if (!key.matches("[0-9]{1,5}")) {
      return -1;
    }
    int p = Integer.parseInt(key);
    return p >= 1 && p <= 65535 ? p : -1;
  }

  /** {@code selector.matchLabels}: no empty keys, no wildcards; an empty selector is a warning. */
  static void selector(Findings f, MatchLabelsSelector s) {
    if (s == null) {
      return;
    }
    s.matchLabels()
        .forEach(
            (k, v) -> {
              String p = Paths.child("spec.selector.matchLabels", k);
              if (k.isEmpty()) {
                f.error(p, "empty label key is not allowed");
              }
              if (k.contains("*") || v.contains("*")) {
                f.error(p, "wildcard is not supported in a selector, got " + q(k + "=" + v));
              }
            });
    if (s.matchLabels().isEmpty()) {
      f.warn("spec.selector", "selector has no labels, so it selects every workload");
    }
  }

  /** At most one of selector, targetRef and targetRefs; each reference well-formed. */
  static void targets(
      Findings f,
      MatchLabelsSelector selector,
      PolicyTargetReference targetRef,
      List<PolicyTargetReference> targetRefs) {
    int set =
        (selector != null ? 1 : 0) + (targetRef != null ? 1 : 0) + (targetRefs.isEmpty() ? 0 : 1);
    if (set > 1) {
      f.error("spec", "only one of selector, targetRef or targetRefs may be set");
    }
    if (targetRef != null) {
      targetRef(f, "spec.targetRef", targetRef);
    }
    for (int i = 0; i < targetRefs.size(); i++) {
      targetRef(f, "spec.targetRefs[" + i + "]", targetRefs.get(i));
    }
  }

  private static void targetRef(Findings f, String p, PolicyTargetReference r) {
    if (r.name() == null || r.name().isEmpty()) {
      f.error(p + ".name", "required");
    }
    if (r.namespace() != null && !r.namespace().isEmpty()) {
      f.error(
          p + ".namespace",
          "must not be set (cross-namespace references are not supported), got "
              + q(r.namespace()));
    }
    String group = r.group() == null ? "" : r.group();
    String kind = r.kind() == null ? "" : r.kind();
    if (!TARGET_KINDS.contains(group + "/" + kind)) {
      f.error(
          p,
          "must refer to a Service, ServiceEntry, Gateway or GatewayClass, got "
              + q(group + "/" + kind));
    }
  }

  /** Every value non-empty: an empty principal or namespace would match nothing Istio means. */
  static void nonEmpty(Findings f, String path, List<String> values) {
    for (int i = 0; i < values.size(); i++) {
      if (values.get(i).isEmpty()) {
        f.error(path + "[" + i + "]", "empty value is not allowed");
      }
    }
  }

  /** IPs or CIDR ranges. */
  static void ips(Findings f, String path, List<String> values) {
    for (int i = 0; i < values.size(); i++) {
      String v = values.get(i);
      if (!v.isEmpty() && !Rules.isIpOrCidr(v)) {
        f.error(
            path + "[" + i + "]",
            (v.contains("/") ? "invalid CIDR range " : "invalid IP address ") + q(v));
      }
    }
  }

  /** Ports written as strings, 0..65535 as Istio accepts. */
  static void ports(Findings f, String path, List<String> values) {
    for (int i = 0; i < values.size(); i++) {
      String v = values.get(i);
      if (!v.isEmpty() && (!v.matches("[0-9]{1,5}") || Integer.parseInt(v) > 65535)) {
        f.error(path + "[" + i + "]", "invalid port " + q(v) + " (must be in 0..65535)");
      }
    }
  }

  /** Service accounts: {@code sa} or {@code ns/sa}, no wildcard, at most 16. */
  static void serviceAccounts(Findings f, String path, List<String> values) {
    if (values.size() > 16) {
      f.error(path, "at most 16 service accounts are allowed, got " + values.size());
    }
    for (int i = 0; i < values.size(); i++) {
      String v = values.get(i);
      String p = path + "[" + i + "]";
      String[] parts = v.split("/", -1);
      if (v.isEmpty()) {
        f.error(p, "empty value is not allowed");
      } else if (v.contains("*")) {
        f.error(p, "wildcard is not allowed, got " + q(v));
      } else if (parts.length > 2 || parts[0].isEmpty() || parts[parts.length - 1].isEmpty()) {
        f.error(p, "must be \"serviceAccount\" or \"namespace/serviceAccount\", got " + q(v));
      } else if (v.length() > 320) {
        f.error(p, "must be at most 320 characters, got " + v.length());
      }
    }
  }
}
