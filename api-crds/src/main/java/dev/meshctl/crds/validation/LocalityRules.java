package dev.meshctl.crds.validation;

import static dev.meshctl.crds.validation.Rules.q;

import dev.meshctl.crds.networking.DestinationRule.Distribute;
import dev.meshctl.crds.networking.DestinationRule.Failover;
import dev.meshctl.crds.networking.DestinationRule.LocalityLbSetting;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Istio's rules for a {@code LocalityLoadBalancerSetting}, in a DestinationRule's load balancer or
 * in the mesh config: {@code distribute} and {@code failover} exclusive; weights 1..100 summing to
 * 100 per source; localities with no empty part, at most one trailing {@code *}, not overlapping
 * one listed before; failover between two different regions (no {@code /} or {@code *}); no
 * topology label in {@code failoverPriority} beside {@code failover}; a warning when failover is
 * configured without outlier detection (Envoy never fails over then). Stateless.
 */
public final class LocalityRules {
  private LocalityRules() {}

  private static final Set<String> TOPOLOGY_LABELS =
      Set.of(
          "topology.kubernetes.io/region",
          "topology.kubernetes.io/zone",
          "topology.istio.io/subzone");

  /**
   * The errors and warnings of a mesh config's setting at {@code path} (resource {@code ""}); the
   * mesh level has no outlier detection to warn about.
   */
  public static ValidationReport checkMesh(String path, LocalityLbSetting setting) {
    Findings f = new Findings("");
    check(f, path, setting, true);
    return f.report();
  }

  static void check(Findings f, String p, LocalityLbSetting loc, boolean hasOutlierDetection) {
    if (loc == null) {
      return;
    }
    if (!loc.distribute().isEmpty() && !loc.failover().isEmpty()) {
      f.error(p, "distribute and failover must not both be set");
      return;
    }
    if (!loc.failover().isEmpty()) {
      for (String label : loc.failoverPriority()) {
        if (TOPOLOGY_LABELS.contains(label)) {
          f.error(
              p + ".failoverPriority",
              "must not hold topology label " + q(label) + " when failover is set");
        }
      }
    }
    List<String> sources = new ArrayList<>();
    for (int i = 0; i < loc.distribute().size(); i++) {
      Distribute d = loc.distribute().get(i);
      String dp = p + ".distribute[" + i + "]";
      sources.add(d.from() == null ? "" : d.from());
      int sum = 0;
      List<String> targets = new ArrayList<>();
      for (Map.Entry<String, Integer> to : d.to().entrySet()) {
        int w = to.getValue() == null ? 0 : to.getValue();
        if (w < 1 || w > 100) {
          f.error(dp + ".to[" + q(to.getKey()) + "]", "weight must be in 1..100, got " + w);
        }
        sum += w;
        targets.add(to.getKey());
      }
      if (sum != 100) {
        f.error(dp + ".to", "weights must sum to 100, got " + sum);
      }
      localities(f, dp + ".to", targets);
    }
    localities(f, p + ".distribute[].from", sources);
    if ((!loc.failover().isEmpty() || !loc.failoverPriority().isEmpty()) && !hasOutlierDetection) {
      f.warn(p, "failover needs outlierDetection in the same traffic policy; without it, none");
    }
    for (int i = 0; i < loc.failover().size(); i++) {
      Failover fo = loc.failover().get(i);
      String fp = p + ".failover[" + i + "]";
      String from = fo.from() == null ? "" : fo.from();
      String to = fo.to() == null ? "" : fo.to();
      if (from.equals(to)) {
        f.error(fp, "from and to must be different regions, got " + q(from));
      }
      if (from.contains("/") || to.contains("/")) {
        f.error(fp, "from and to must be regions (no \"/\"), got " + q(from) + " -> " + q(to));
      }
      if (from.contains("*") || to.contains("*")) {
        f.error(fp, "from and to must not contain \"*\", got " + q(from) + " -> " + q(to));
      }
    }
  }

  /** Each locality well-formed and not overlapping one before it. */
  private static void localities(Findings f, String p, List<String> localities) {
    List<String[]> seen = new ArrayList<>();
    for (String l : localities) {
      long stars = l.chars().filter(c -> c == '*').count();
      if (stars > 1 || (stars == 1 && !l.endsWith("*"))) {
        f.error(p, "locality " + q(l) + ": at most one \"*\", and only at the end");
        return;
      }
      String[] parts = l.split("/", -1);
      boolean empty = parts.length > 3;
      for (String part : parts) {
        empty |= part.isEmpty();
      }
      if (empty) {
        f.error(p, "locality " + q(l) + " must not have an empty region, zone or subzone");
        return;
      }
      for (String[] before : seen) {
        if (covers(before, parts) || covers(parts, before)) {
          f.error(p, "locality " + q(l) + " overlaps " + q(String.join("/", before)));
          return;
        }
      }
      seen.add(parts);
    }
  }

  /** Whether every locality {@code b} names is also named by {@code a}. */
  private static boolean covers(String[] a, String[] b) {
    for (int i = 0; i < a.length; i++) {
      if (a[i].equals("*")) {
        return true;
      }
      if (i >= b.length || !a[i].equals(b[i])) {
        return false;
      }
    }
    return true;
  }
}
