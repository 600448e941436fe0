package dev.meshctl.xds.translate.endpoint;

import dev.meshctl.crds.networking.DestinationRule.Distribute;
import dev.meshctl.crds.networking.DestinationRule.Failover;
import dev.meshctl.crds.networking.DestinationRule.LocalityLbSetting;
import dev.meshctl.xds.model.Locality;
import dev.meshctl.xds.model.MeshEndpoint;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Istio's locality load balancing, applied to the locality groups of one cluster's endpoints as one
 * proxy sees them: {@code distribute} rewrites the groups' weights (and empties the groups no rule
 * names), failover gives each group a priority by its distance from the proxy's locality (region,
 * zone, subzone; with {@code failover} naming the region to try after the proxy's own), and {@code
 * failoverPriority} splits groups by how many of the listed labels an endpoint shares with the
 * proxy. Priorities are then renumbered 0..N without gaps, as Envoy and gRPC require. Pure and
 * deterministic (a {@code distribute.to} map is read in its declared order); any thread.
 */
public final class LocalityLb {
  private LocalityLb() {}

  /** Istio's label for a workload's network; the first failover label it treats specially. */
  static final String NETWORK_LABEL = "topology.istio.io/network";

  /**
   * The endpoints of one locality: its endpoints (in translation order), its load balancing weight
   * and its priority (0 is tried first).
   */
  public record Group(Locality locality, List<MeshEndpoint> endpoints, int weight, int priority) {
    public Group {
      Objects.requireNonNull(locality, "locality");
      endpoints = List.copyOf(endpoints);
    }

    Group withPriority(int p) {
      return new Group(locality, endpoints, weight, p);
    }
  }

  /**
   * What one proxy's view of a cluster's endpoints depends on; equal views give equal endpoints, so
   * a view is part of the EDS memo key.
   *
   * @param setting the effective locality setting
   * @param failover whether failover applies (outlier detection set, or forced by the Service)
   * @param proxy the proxy's locality
   * @param priorityLabels the proxy's value of each {@code failoverPriority} label, in order
   */
  public record View(
      LocalityLbSetting setting,
      boolean failover,
      Locality proxy,
      List<Map.Entry<String, String>> priorityLabels) {
    public View {
      Objects.requireNonNull(setting, "setting");
      Objects.requireNonNull(proxy, "proxy");
      priorityLabels = List.copyOf(priorityLabels);
    }
  }

  /** The groups as {@code view}'s proxy should see them. */
  public static List<Group> apply(
      List<Group> groups, View view, Function<MeshEndpoint, Map<String, String>> endpointLabels) {
    LocalityLbSetting s = view.setting();
    if (!s.distribute().isEmpty()) {
      return distribute(groups, view.proxy(), s.distribute());
    }
    if (!view.failover()) {
      return groups;
    }
    List<Group> out = groups;
    if (!s.failoverPriority().isEmpty()) {
      out = failoverPriority(out, view.priorityLabels(), endpointLabels);
      if (!s.failover().isEmpty()) {
        out = regionFailover(out, view.proxy(), s.failover());
      }
      return out;
    }
    return regionFailover(out, view.proxy(), s.failover());
  }

  /**
   * The first rule whose {@code from} matches the proxy sets the weights: each {@code to} entry's
   * weight is shared among the groups it matches (first entry wins a group) in proportion to their
   * own weights, rounded up; groups no entry matches keep their weight but lose their endpoints.
   */
  static List<Group> distribute(List<Group> groups, Locality proxy, List<Distribute> rules) {
    for (Distribute rule : rules) {
      if (rule == null || rule.from() == null || !proxy.matches(rule.from())) {
        continue;
      }
      int[] weights = groups.stream().mapToInt(Group::weight).toArray();
      boolean[] matched = new boolean[groups.size()];
      if (rule.to() != null) {
        for (Map.Entry<String, Integer> to : rule.to().entrySet()) {
          List<Integer> hits = new ArrayList<>();
          long total = 0;
          for (int i = 0; i < groups.size(); i++) {
            if (!matched[i] && groups.get(i).locality().matches(to.getKey())) {
              matched[i] = true;
              hits.add(i);
              total += Math.max(groups.get(i).weight(), 1);
            }
          }
          long percent = to.getValue() == null ? 0 : to.getValue();
          for (int i : hits) {
            double share = (double) Math.max(groups.get(i).weight(), 1) * percent / total;
            if (share > 0) {
              weights[i] = (int) Math.ceil(share);
            }
          }
        }
      }
      List<Group> out = new ArrayList<>(groups.size());
      for (int i = 0; i < groups.size(); i++) {
        Group g = groups.get(i);
        out.add(new Group(g.locality(), matched[i] ? g.endpoints() : List.of(), weights[i], 0));
      }
      return out;
    }
    return groups;
  }

  /**
   * Priority by distance from the proxy (0 same subzone, 1 same zone, 2 same region, 3 elsewhere);
   * when a {@code failover} rule's {@code from} is the proxy's region, only its {@code to} region
   * stays at 3 and every other region drops to 4. Composes with earlier priorities (× 5).
   */
  static List<Group> regionFailover(List<Group> groups, Locality proxy, List<Failover> failover) {
    List<Group> out = new ArrayList<>(groups.size());
    for (Group g : groups) {
      int p = proxy.distanceTo(g.locality());
      if (p == 3) {
        for (Failover f : failover) {
          if (Objects.equals(f.from(), proxy.region())) {
            if (!g.locality().region().equals(f.to())) {
              p = 4;
            }
            break;
          }
        }
      }
      out.add(g.withPriority(g.priority() * 5 + p));
    }
    return compact(out);
  }

  /**
   * Splits each group by label agreement with the proxy: an endpoint agreeing on every label gets
   * priority 0; one that first disagrees on the j-th label gets {@code n - j}. A disagreeing
   * network (when listed first) pushes the endpoint below every agreeing one instead of deciding
   * alone.
   */
  static List<Group> failoverPriority(
      List<Group> groups,
      List<Map.Entry<String, String>> proxyValues,
      Function<MeshEndpoint, Map<String, String>> endpointLabels) {
    int n = proxyValues.size();
    boolean networkFirst = n > 0 && NETWORK_LABEL.equals(proxyValues.get(0).getKey());
    List<Group> out = new ArrayList<>();
    for (Group g : groups) {
      TreeMap<Integer, List<MeshEndpoint>> byPriority = new TreeMap<>();
      for (MeshEndpoint e : g.endpoints()) {
        Map<String, String> labels = endpointLabels.apply(e);
        int priority = 0;
        int adjust = 0;
        for (int j = 0; j < n; j++) {
          Map.Entry<String, String> want = proxyValues.get(j);
          if (!want.getValue().equals(labels.getOrDefault(want.getKey(), ""))) {
            if (j == 0 && networkFirst) {
              adjust = n;
              continue;
            }
            priority = n - j;
            break;
          }
        }
        byPriority.computeIfAbsent(priority + adjust, k -> new ArrayList<>()).add(e);
      }
      byPriority.forEach(
          (p, eps) ->
              out.add(
                  new Group(
                      g.locality(), eps, eps.stream().mapToInt(MeshEndpoint::weight).sum(), p)));
    }
    return compact(out);
  }

  /** Renumbers the priorities in use to 0..N, keeping their order. */
  static List<Group> compact(List<Group> groups) {
    TreeSet<Integer> used = new TreeSet<>();
    groups.forEach(g -> used.add(g.priority()));
    List<Integer> ordered = new ArrayList<>(used);
    List<Group> out = new ArrayList<>(groups.size());
    for (Group g : groups) {
      out.add(g.withPriority(ordered.indexOf(g.priority())));
    }
    return out;
  }

  /**
   * The proxy's value for each {@code failoverPriority} entry, in order: an entry {@code
   * label=value} fixes the value; a bare {@code label} takes the proxy's own (topology-augmented)
   * label, {@code ""} when it has none.
   */
  static List<Map.Entry<String, String>> priorityValues(
      List<String> failoverPriority, Map<String, String> proxyLabels) {
    List<Map.Entry<String, String>> out = new ArrayList<>();
    for (String entry : failoverPriority) {
      int eq = entry.indexOf('=');
      if (eq >= 0) {
        out.add(Map.entry(entry.substring(0, eq), entry.substring(eq + 1)));
      } else {
        out.add(Map.entry(entry, proxyLabels.getOrDefault(entry, "")));
      }
    }
    return out;
  }
}
