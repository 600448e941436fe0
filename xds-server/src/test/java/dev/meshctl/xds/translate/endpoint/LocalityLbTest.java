package dev.meshctl.xds.translate.endpoint;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshctl.crds.networking.DestinationRule.Distribute;
import dev.meshctl.crds.networking.DestinationRule.Failover;
import dev.meshctl.crds.networking.DestinationRule.LocalityLbSetting;
import dev.meshctl.xds.model.Locality;
import dev.meshctl.xds.model.MeshEndpoint;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@link LocalityLb} against Istio's locality rules, case by case: each expectation is worked out
 * by hand from the rule (distance priorities, failover regions, label priorities, weights shared in
 * proportion and rounded up) rather than read back from the code.
 */
class LocalityLbTest {
  static final Locality EAST_A = new Locality("us-east", "us-east-1a", "");
  static final Locality EAST_B = new Locality("us-east", "us-east-1b", "");
  static final Locality EAST_A_SUB = new Locality("us-east", "us-east-1a", "rack2");
  static final Locality WEST = new Locality("us-west", "us-west-2a", "");
  static final Locality EU = new Locality("eu-west", "eu-west-1a", "");

  static MeshEndpoint ep(String ip, Locality l, Map<String, String> labels, int weight) {
    return new MeshEndpoint(ip, 80, labels, "sa", l, null, true, weight);
  }

  static LocalityLb.Group group(Locality l, MeshEndpoint... eps) {
    int w = 0;
    for (MeshEndpoint e : eps) {
      w += e.weight();
    }
    return new LocalityLb.Group(l, List.of(eps), w, 0);
  }

  static LocalityLbSetting failover(Failover... rules) {
    return new LocalityLbSetting(List.of(), List.of(rules), List.of(), null);
  }

  static List<String> summary(List<LocalityLb.Group> groups) {
    return groups.stream()
        .map(
            g ->
                g.locality()
                    + " p"
                    + g.priority()
                    + " w"
                    + g.weight()
                    + " "
                    + g.endpoints().stream().map(MeshEndpoint::address).toList())
        .toList();
  }

  final List<LocalityLb.Group> fourRegions =
      List.of(
          group(EU, ep("4.0.0.1", EU, Map.of(), 1)),
          group(EAST_A, ep("1.0.0.1", EAST_A, Map.of(), 1)),
          group(EAST_A_SUB, ep("1.0.0.2", EAST_A_SUB, Map.of(), 1)),
          group(EAST_B, ep("2.0.0.1", EAST_B, Map.of(), 1)),
          group(WEST, ep("3.0.0.1", WEST, Map.of(), 1)));

  @Test
  void failoverRanksBySubzoneZoneRegionAndRenumbersWithoutGaps() {
    var view = new LocalityLb.View(failover(), true, EAST_A, List.of());
    // Distances: eu 3, east-a 0, east-a/rack2 1 (same zone, other subzone), east-b 2, west 3.
    assertThat(summary(LocalityLb.apply(fourRegions, view, e -> e.labels())))
        .containsExactly(
            "eu-west/eu-west-1a/ p3 w1 [4.0.0.1]",
            "us-east/us-east-1a/ p0 w1 [1.0.0.1]",
            "us-east/us-east-1a/rack2 p1 w1 [1.0.0.2]",
            "us-east/us-east-1b/ p2 w1 [2.0.0.1]",
            "us-west/us-west-2a/ p3 w1 [3.0.0.1]");
  }

  @Test
  void failoverRegionComesRightAfterTheProxysOwnRegionAndTheRestAfterIt() {
    var view =
        new LocalityLb.View(failover(new Failover("us-east", "eu-west")), true, EAST_A, List.of());
    // eu stays at 3, west drops to 4; renumbered 0,1,2,3,4.
    assertThat(summary(LocalityLb.apply(fourRegions, view, e -> e.labels())))
        .containsExactly(
            "eu-west/eu-west-1a/ p3 w1 [4.0.0.1]",
            "us-east/us-east-1a/ p0 w1 [1.0.0.1]",
            "us-east/us-east-1a/rack2 p1 w1 [1.0.0.2]",
            "us-east/us-east-1b/ p2 w1 [2.0.0.1]",
            "us-west/us-west-2a/ p4 w1 [3.0.0.1]");
  }

  @Test
  void aFailoverRuleForAnotherRegionChangesNothing() {
    var view =
        new LocalityLb.View(failover(new Failover("us-west", "eu-west")), true, EU, List.of());
    // Proxy in eu: eu 0, every other region 3; renumbered to 0 and 1.
    assertThat(summary(LocalityLb.apply(fourRegions, view, e -> e.labels())))
        .extracting(s -> s.split(" ")[1])
        .containsExactly("p0", "p1", "p1", "p1", "p1");
  }

  @Test
  void withoutFailoverTheGroupsAreUntouched() {
    var view = new LocalityLb.View(failover(), false, EAST_A, List.of());
    assertThat(LocalityLb.apply(fourRegions, view, e -> e.labels())).isEqualTo(fourRegions);
  }

  @Test
  void distributeSharesEachWeightInProportionRoundsUpAndEmptiesTheRest() {
    Map<String, Integer> to = new LinkedHashMap<>();
    to.put("us-east/us-east-1a/*", 70);
    to.put("us-west", 30);
    var setting =
        new LocalityLbSetting(
            List.of(
                new Distribute("eu-west/*", Map.of("eu-west", 100)),
                new Distribute("us-east/*", to)),
            List.of(),
            List.of(),
            null);
    List<LocalityLb.Group> groups =
        List.of(
            group(EAST_A, ep("1.0.0.1", EAST_A, Map.of(), 2)),
            group(EAST_A_SUB, ep("1.0.0.2", EAST_A_SUB, Map.of(), 1)),
            group(EAST_B, ep("2.0.0.1", EAST_B, Map.of(), 1)),
            group(WEST, ep("3.0.0.1", WEST, Map.of(), 5)));
    var view = new LocalityLb.View(setting, false, EAST_B, List.of());
    // The first rule does not match the proxy; the second does. 70% over east-a (weight 2) and
    // east-a/rack2 (weight 1): ceil(2*70/3) = 47, ceil(1*70/3) = 24. 30% to the only west group.
    assertThat(summary(LocalityLb.apply(groups, view, e -> e.labels())))
        .containsExactly(
            "us-east/us-east-1a/ p0 w47 [1.0.0.1]",
            "us-east/us-east-1a/rack2 p0 w24 [1.0.0.2]",
            "us-east/us-east-1b/ p0 w1 []",
            "us-west/us-west-2a/ p0 w30 [3.0.0.1]");
  }

  @Test
  void distributeWithNoRuleForTheProxyChangesNothing() {
    var setting =
        new LocalityLbSetting(
            List.of(new Distribute("us-west/*", Map.of("us-west", 100))),
            List.of(),
            List.of(),
            null);
    var view = new LocalityLb.View(setting, true, EAST_A, List.of());
    assertThat(LocalityLb.apply(fourRegions, view, e -> e.labels())).isEqualTo(fourRegions);
  }

  @Test
  void failoverPrioritySplitsGroupsByHowManyLabelsAgreeInOrder() {
    var setting =
        new LocalityLbSetting(List.of(), List.of(), List.of("region", "version=v1"), null);
    List<Map.Entry<String, String>> values =
        LocalityLb.priorityValues(setting.failoverPriority(), Map.of("region", "r1"));
    assertThat(values).containsExactly(Map.entry("region", "r1"), Map.entry("version", "v1"));
    MeshEndpoint both = ep("1.0.0.1", EAST_A, Map.of("region", "r1", "version", "v1"), 1);
    MeshEndpoint regionOnly = ep("1.0.0.2", EAST_A, Map.of("region", "r1", "version", "v2"), 3);
    MeshEndpoint none = ep("1.0.0.3", EAST_A, Map.of("region", "r2", "version", "v1"), 1);
    List<LocalityLb.Group> groups = List.of(group(EAST_A, both, regionOnly, none));
    var view = new LocalityLb.View(setting, true, EAST_A, values);
    // both agree: 0; version differs (j=1): 2-1 = 1; region differs (j=0): 2.
    assertThat(summary(LocalityLb.apply(groups, view, e -> e.labels())))
        .containsExactly(
            "us-east/us-east-1a/ p0 w1 [1.0.0.1]",
            "us-east/us-east-1a/ p1 w3 [1.0.0.2]",
            "us-east/us-east-1a/ p2 w1 [1.0.0.3]");
  }

  @Test
  void aDifferentNetworkListedFirstRanksBelowEverySameNetworkEndpoint() {
    var values = List.of(Map.entry(LocalityLb.NETWORK_LABEL, "n1"), Map.entry("zone", "z1"));
    var setting =
        new LocalityLbSetting(
            List.of(), List.of(), List.of(LocalityLb.NETWORK_LABEL, "zone"), null);
    MeshEndpoint sameNetSameZone =
        ep("1.0.0.1", EAST_A, Map.of(LocalityLb.NETWORK_LABEL, "n1", "zone", "z1"), 1);
    MeshEndpoint sameNetOtherZone =
        ep("1.0.0.2", EAST_A, Map.of(LocalityLb.NETWORK_LABEL, "n1", "zone", "z2"), 1);
    MeshEndpoint otherNetSameZone =
        ep("1.0.0.3", EAST_A, Map.of(LocalityLb.NETWORK_LABEL, "n2", "zone", "z1"), 1);
    MeshEndpoint otherNetOtherZone =
        ep("1.0.0.4", EAST_A, Map.of(LocalityLb.NETWORK_LABEL, "n2", "zone", "z2"), 1);
    var view = new LocalityLb.View(setting, true, EAST_A, values);
    // Same network: 0 and 1 (zone differs: 2-1). Other network: +2, still ranked by zone: 2, 3.
    assertThat(
            summary(
                LocalityLb.apply(
                    List.of(
                        group(
                            EAST_A,
                            sameNetSameZone,
                            sameNetOtherZone,
                            otherNetSameZone,
                            otherNetOtherZone)),
                    view,
                    e -> e.labels())))
        .containsExactly(
            "us-east/us-east-1a/ p0 w1 [1.0.0.1]",
            "us-east/us-east-1a/ p1 w1 [1.0.0.2]",
            "us-east/us-east-1a/ p2 w1 [1.0.0.3]",
            "us-east/us-east-1a/ p3 w1 [1.0.0.4]");
  }

  @Test
  void localityRulesMatchWithWildcardsAndOmittedParts() {
    assertThat(EAST_A_SUB.matches("us-east")).isTrue();
    assertThat(EAST_A_SUB.matches("us-east/*")).isTrue();
    assertThat(EAST_A_SUB.matches("*")).isTrue();
    assertThat(EAST_A_SUB.matches("us-east/us-east-1a/rack2")).isTrue();
    assertThat(EAST_A_SUB.matches("us-east/us-east-1a/rack1")).isFalse();
    assertThat(EAST_A_SUB.matches("us-east/us-east-1b")).isFalse();
    assertThat(EAST_A_SUB.matches("us-west/*")).isFalse();
    assertThat(Locality.fromLabel("us-east.us-east-1a.rack2")).isEqualTo(EAST_A_SUB);
  }
}
