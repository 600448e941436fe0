package dev.meshctl.xds.server;

import static dev.meshctl.xds.translate.XdsType.CLUSTER;
import static org.assertj.core.api.Assertions.assertThat;

import dev.meshctl.xds.testing.AdsTestClient;
import io.grpc.Status;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A stream whose first request has no node, or one the parser rejects, is closed at once. */
class InvalidNodeTest {

  @Test
  void malformedNodeIdClosesSotwStreamWithTheParsersMessage() {
    try (AdsHarness h = new AdsHarness()) {
      AdsTestClient c = h.client("bogus");
      c.request(CLUSTER, List.of());
      Status status = c.awaitSotwClose();
      assertThat(status.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
      assertThat(status.getDescription())
          .isEqualTo("node id 'bogus' must have 4 parts TYPE~IP~ID~DOMAIN separated by '~', got 1");
      assertThat(h.events.of("invalidNode"))
          .containsExactly(
              "invalidNode bogus: node id 'bogus' must have 4 parts TYPE~IP~ID~DOMAIN separated"
                  + " by '~', got 1");
      assertThat(h.ads.connections()).isEmpty();
      assertThat(h.events.of("connected")).isEmpty();
    }
  }

  @Test
  void unsupportedNodeTypeClosesDeltaStream() {
    String id = "proxy~10.0.0.1~a.default~default.svc.cluster.local";
    try (AdsHarness h = new AdsHarness()) {
      AdsTestClient c = h.client(id);
      c.deltaRequest(CLUSTER, List.of(), List.of(), Map.of());
      Status status = c.awaitDeltaClose();
      assertThat(status.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
      assertThat(status.getDescription())
          .isEqualTo(
              "node id '"
                  + id
                  + "': type 'proxy' is not supported, expected 'sidecar' or 'router'");
    }
  }

  @Test
  void missingNodeClosesTheStream() {
    try (AdsHarness h = new AdsHarness()) {
      AdsTestClient c = h.client(null);
      c.request(CLUSTER, List.of());
      Status status = c.awaitSotwClose();
      assertThat(status.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
      assertThat(status.getDescription())
          .isEqualTo("the first request on an ADS stream must carry a node");
    }
  }
}
