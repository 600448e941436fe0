package dev.meshctl.xds.server;

import static dev.meshctl.xds.server.AdsHarness.NODE_A;
import static dev.meshctl.xds.server.AdsHarness.cluster;
import static dev.meshctl.xds.server.AdsHarness.listener;
import static dev.meshctl.xds.translate.XdsType.CLUSTER;
import static dev.meshctl.xds.translate.XdsType.LISTENER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.google.protobuf.Message;
import dev.meshctl.xds.server.ConnectionStatus.Nack;
import dev.meshctl.xds.testing.AdsTestClient;
import dev.meshctl.xds.translate.XdsType;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * A NACKed version is recorded, logged and reported, and never sent again: re-pushing the same
 * input sends nothing; a changed input is sent once. (java-control-plane resends NACKed config in a
 * loop; this is the regression test for not doing that.)
 */
class NackTest {
  private static final String ERROR = "cluster a: LB policy MAGLEV is not supported";

  private final Logger logger = (Logger) LoggerFactory.getLogger(Connection.class);
  private final ListAppender<ILoggingEvent> logs = new ListAppender<>();

  @BeforeEach
  void captureLogs() {
    logs.start();
    logger.addAppender(logs);
  }

  @AfterEach
  void releaseLogs() {
    logger.detachAppender(logs);
  }

  private static Map<XdsType, Map<String, Message>> config(int clusterTimeout, int listenerPort) {
    return Map.of(
        CLUSTER, Map.of("a", cluster("a", clusterTimeout)),
        LISTENER, Map.of("l1", listener("l1", listenerPort)));
  }

  @Test
  void nackedVersionIsNotResentUntilTheInputChanges() {
    try (AdsHarness h = new AdsHarness()) {
      h.ads.push(h.generator.context(config(1, 80)));
      AdsTestClient c = h.client(NODE_A);
      c.request(CLUSTER, List.of());
      DiscoveryResponse cds = c.awaitResponse(0);
      c.request(LISTENER, List.of());
      c.ack(c.awaitResponse(1));

      c.nack(cds, ERROR);
      String nacked = "nacked " + NODE_A + " cds " + cds.getVersionInfo() + ": " + ERROR;
      await().until(() -> h.events.of("nacked").equals(List.of(nacked)));
      assertThat(warnings())
          .contains(
              "ACK ERROR node="
                  + NODE_A
                  + " connection="
                  + NODE_A
                  + "-1 type=cds version="
                  + cds.getVersionInfo()
                  + ": "
                  + ERROR);
      await()
          .untilAsserted(
              () -> {
                ConnectionStatus.TypeStatus s = h.ads.connections().get(0).types().get(CLUSTER);
                assertThat(s.lastNack())
                    .isEqualTo(Optional.of(new Nack(cds.getVersionInfo(), ERROR)));
                assertThat(s.ackedVersion()).isEmpty();
                assertThat(s.syncState()).isEqualTo("ERROR");
              });

      // Same clusters pushed three times (new contexts, equal resources); only the LDS marker
      // changes, and it is all that arrives.
      for (int i = 0; i < 3; i++) {
        h.ads.push(h.generator.context(config(1, 81 + i)));
        DiscoveryResponse next = c.awaitResponse(2 + i);
        assertThat(next.getTypeUrl()).isEqualTo(LISTENER.typeUrl());
        c.ack(next);
      }

      // The input changes: the new version goes out exactly once.
      h.ads.push(h.generator.context(config(2, 84)));
      DiscoveryResponse cds2 = c.awaitResponse(5);
      assertThat(cds2.getTypeUrl()).isEqualTo(CLUSTER.typeUrl());
      assertThat(cds2.getVersionInfo()).isNotEqualTo(cds.getVersionInfo());
      assertThat(c.awaitResponse(6).getTypeUrl()).isEqualTo(LISTENER.typeUrl());
      h.ads.push(h.generator.context(config(2, 85)));
      assertThat(c.awaitResponse(7).getTypeUrl()).isEqualTo(LISTENER.typeUrl());
      assertThat(c.responses().stream().filter(r -> r.getTypeUrl().equals(CLUSTER.typeUrl())))
          .hasSize(2);
    }
  }

  @Test
  void nackOfAnOlderNonceIsStaleAndIgnored() {
    try (AdsHarness h = new AdsHarness()) {
      h.ads.push(h.generator.context(config(1, 80)));
      AdsTestClient c = h.client(NODE_A);
      c.request(CLUSTER, List.of());
      DiscoveryResponse first = c.awaitResponse(0);
      h.ads.push(h.generator.context(config(2, 80)));
      DiscoveryResponse second = c.awaitResponse(1);
      assertThat(second.getNonce()).isNotEqualTo(first.getNonce());

      c.nack(first, ERROR);
      await()
          .until(() -> h.events.of("staleNonce").equals(List.of("staleNonce " + NODE_A + " cds")));
      assertThat(h.events.of("nacked")).isEmpty();
      c.ack(second);
      await()
          .until(
              () ->
                  h.events
                      .of("acked")
                      .equals(List.of("acked " + NODE_A + " cds " + second.getVersionInfo())));
      assertThat(h.ads.connections().get(0).types().get(CLUSTER).lastNack()).isEmpty();
    }
  }

  private List<String> warnings() {
    return logs.list.stream()
        .filter(e -> e.getLevel() == Level.WARN)
        .map(ILoggingEvent::getFormattedMessage)
        .toList();
  }
}
