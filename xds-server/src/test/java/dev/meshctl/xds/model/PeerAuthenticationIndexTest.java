package dev.meshctl.xds.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PeerAuthenticationIndexTest {
  private static final Map<String, String> REVIEWS = Map.of("app", "reviews", "version", "v1");

  private static PeerAuthenticationPolicy workload(
      String ns,
      String name,
      Map<String, String> selector,
      MtlsMode mode,
      Map<Integer, MtlsMode> ports) {
    return new PeerAuthenticationPolicy(ns, name, Optional.of(selector), mode, ports);
  }

  @Test
  void noPolicyMeansPermissive() {
    assertThat(PeerAuthenticationIndex.empty().mode("default", REVIEWS, 9080))
        .isEqualTo(MtlsMode.PERMISSIVE);
  }

  @Test
  void meshPolicyInRootNamespaceAppliesEverywhere() {
    PeerAuthenticationIndex index =
        PeerAuthenticationIndex.build(
            "istio-system",
            List.of(
                PeerAuthenticationPolicy.namespaceWide(
                    "istio-system", "default", MtlsMode.STRICT)));
    assertThat(index.mode("default", REVIEWS, 9080)).isEqualTo(MtlsMode.STRICT);
    assertThat(index.mode("other", Map.of(), 80)).isEqualTo(MtlsMode.STRICT);
  }

  @Test
  void namespaceOverridesMeshAndUnsetInherits() {
    PeerAuthenticationIndex index =
        PeerAuthenticationIndex.build(
            "istio-system",
            List.of(
                PeerAuthenticationPolicy.namespaceWide("istio-system", "default", MtlsMode.STRICT),
                PeerAuthenticationPolicy.namespaceWide("default", "ns", MtlsMode.DISABLE),
                PeerAuthenticationPolicy.namespaceWide("other", "ns", MtlsMode.UNSET)));
    assertThat(index.mode("default", REVIEWS, 9080)).isEqualTo(MtlsMode.DISABLE);
    assertThat(index.mode("other", REVIEWS, 9080)).isEqualTo(MtlsMode.STRICT);
  }

  @Test
  void workloadAndPortLevelWinOnlyForSelectedWorkloads() {
    PeerAuthenticationIndex index =
        PeerAuthenticationIndex.build(
            "istio-system",
            List.of(
                PeerAuthenticationPolicy.namespaceWide("default", "ns", MtlsMode.STRICT),
                workload(
                    "default",
                    "reviews",
                    Map.of("app", "reviews"),
                    MtlsMode.UNSET,
                    Map.of(9080, MtlsMode.PERMISSIVE, 9090, MtlsMode.UNSET))));
    assertThat(index.mode("default", REVIEWS, 9080)).isEqualTo(MtlsMode.PERMISSIVE);
    assertThat(index.mode("default", REVIEWS, 9090)).isEqualTo(MtlsMode.STRICT);
    assertThat(index.mode("default", REVIEWS)).isEqualTo(MtlsMode.STRICT);
    assertThat(index.mode("default", Map.of("app", "ratings"), 9080)).isEqualTo(MtlsMode.STRICT);
    assertThat(index.portModes("default", REVIEWS)).containsOnlyKeys(9080, 9090);
  }

  @Test
  void firstWorkloadPolicyByNameWins() {
    PeerAuthenticationIndex index =
        PeerAuthenticationIndex.build(
            "istio-system",
            List.of(
                workload("default", "b", Map.of("app", "reviews"), MtlsMode.DISABLE, Map.of()),
                workload("default", "a", Map.of("version", "v1"), MtlsMode.STRICT, Map.of())));
    assertThat(index.mode("default", REVIEWS, 1)).isEqualTo(MtlsMode.STRICT);
  }
}
