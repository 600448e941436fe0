package dev.meshctl.xds.translate.sidecar;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshctl.xds.testing.MeshFixture;
import dev.meshctl.xds.testing.RouteSimulator;
import dev.meshctl.xds.testing.RouteSimulator.Result;
import dev.meshctl.xds.testing.XdsDump;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Requests followed through the sidecar config generated from Istio's own Bookinfo rules (the
 * golden cases {@code bookinfo-vs-*}): where a request with given headers lands.
 */
class VirtualServiceSimulationTest {
  private static final String REVIEWS_VIP = "10.96.0.11";
  private static final String RATINGS_VIP = "10.96.0.12";

  private static RouteSimulator sim(String golden) {
    return new RouteSimulator(
        XdsDump.generate(MeshFixture.load(SidecarGoldenTest.ROOT.resolve(golden))));
  }

  @Test
  void jasonReachesReviewsV2AndEveryoneElseV3() {
    RouteSimulator sim = sim("bookinfo-vs-jason-abort");
    assertThat(
            sim.outboundHttp(
                    REVIEWS_VIP, 9080, "reviews:9080", "/reviews/0", Map.of("end-user", "jason"))
                .cluster())
        .isEqualTo("outbound|9080|v2|reviews.default.svc.cluster.local");
    assertThat(
            sim.outboundHttp(
                    REVIEWS_VIP, 9080, "reviews:9080", "/reviews/0", Map.of("end-user", "alice"))
                .cluster())
        .isEqualTo("outbound|9080|v3|reviews.default.svc.cluster.local");
    assertThat(sim.outboundHttp(REVIEWS_VIP, 9080, "reviews", "/").cluster())
        .isEqualTo("outbound|9080|v3|reviews.default.svc.cluster.local");
  }

  @Test
  void delegatedRulesRouteUnderTheRootPrefixOnly() {
    RouteSimulator sim = sim("bookinfo-vs-delegate");
    Result jason =
        sim.outboundHttp(REVIEWS_VIP, 9080, "reviews", "/reviews/0", Map.of("end-user", "jason"));
    assertThat(jason.route()).isEqualTo("root-jason");
    assertThat(jason.cluster()).isEqualTo("outbound|9080|v2|reviews.default.svc.cluster.local");
    assertThat(sim.outboundHttp(REVIEWS_VIP, 9080, "reviews", "/reviews/0").cluster())
        .isEqualTo("outbound|9080|v3|reviews.default.svc.cluster.local");
    // The delegate's /other rule conflicts with the root's /reviews and the /gone delegate is
    // missing: both fall through to the root's last rule.
    assertThat(sim.outboundHttp(REVIEWS_VIP, 9080, "reviews", "/other").route())
        .isEqualTo("fallback");
    assertThat(sim.outboundHttp(REVIEWS_VIP, 9080, "reviews", "/gone").cluster())
        .isEqualTo("outbound|9080|v1|reviews.default.svc.cluster.local");
  }

  @Test
  void ratingsForJasonGoesThroughTheAbortRouteToV1() {
    RouteSimulator sim = sim("bookinfo-vs-jason-abort");
    Result jason =
        sim.outboundHttp(
            RATINGS_VIP, 9080, "ratings:9080", "/ratings/0", Map.of("end-user", "jason"));
    Result other = sim.outboundHttp(RATINGS_VIP, 9080, "ratings:9080", "/ratings/0");
    assertThat(jason.cluster()).isEqualTo("outbound|9080|v1|ratings.default.svc.cluster.local");
    assertThat(other.cluster()).isEqualTo(jason.cluster());
    // Two different routes: only the first carries the fault (see the golden rds.yaml).
    assertThat(jason.virtualHost()).isEqualTo("ratings.default.svc.cluster.local:9080");
  }

  @Test
  void reviewsIsSplitEvenlyBetweenV2AndV3() {
    RouteSimulator sim = sim("bookinfo-vs-weighted-delay");
    assertThat(
            sim.outboundHttp(REVIEWS_VIP, 9080, "reviews.default.svc.cluster.local", "/").cluster())
        .isEqualTo(
            "outbound|9080|v2|reviews.default.svc.cluster.local=50,"
                + "outbound|9080|v3|reviews.default.svc.cluster.local=50");
  }

  @Test
  void ourRulesMatchOnMethodAnswerDirectlyAndRedirect() {
    RouteSimulator sim = sim("bookinfo-policies");
    Result get =
        sim.outboundHttp(REVIEWS_VIP, 9080, "reviews", "/teapot", Map.of(":method", "GET"));
    assertThat(get.route()).isEqualTo("teapot");
    assertThat(get.directResponseStatus()).isEqualTo(418);
    // The method is part of the match: a POST falls through to the last rule.
    Result post =
        sim.outboundHttp(REVIEWS_VIP, 9080, "reviews", "/teapot", Map.of(":method", "POST"));
    assertThat(post.route()).isEqualTo("no-retries");
    assertThat(post.cluster()).isEqualTo("outbound|9080|v1|reviews.default.svc.cluster.local");
    // /old is a redirect: its route has no cluster.
    Result old = sim.outboundHttp(REVIEWS_VIP, 9080, "reviews", "/old", Map.of(":method", "GET"));
    assertThat(old.route()).isEqualTo("redirect-old");
    assertThat(old.cluster()).isEmpty();
  }
}
