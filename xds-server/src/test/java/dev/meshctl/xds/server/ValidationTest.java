package dev.meshctl.xds.server;

import static dev.meshctl.xds.server.AdsHarness.NODE_A;
import static dev.meshctl.xds.server.AdsHarness.NODE_B;
import static dev.meshctl.xds.server.AdsHarness.cluster;
import static dev.meshctl.xds.server.AdsHarness.listener;
import static dev.meshctl.xds.server.AdsHarness.names;
import static dev.meshctl.xds.translate.XdsType.CLUSTER;
import static dev.meshctl.xds.translate.XdsType.LISTENER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.google.protobuf.Message;
import dev.meshctl.xds.testing.AdsTestClient;
import dev.meshctl.xds.translate.XdsType;
import dev.meshctl.xds.validate.ResourceValidator;
import dev.meshctl.xds.validate.ResourceValidator.Violation;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * A resource the validator refuses never reaches a proxy while the others do; the refusal is logged
 * and reported once per connection and version; and each distinct resource is validated once per
 * push however many proxies receive it.
 */
class ValidationTest {
  private static final int MAX_TIMEOUT = 10;

  /** Refuses clusters whose connect timeout is over 10 s, counting every call. */
  private static final class TimeoutValidator implements ResourceValidator {
    final AtomicInteger calls = new AtomicInteger();

    @Override
    public List<Violation> validate(Message resource) {
      calls.incrementAndGet();
      if (resource instanceof Cluster c && c.getConnectTimeout().getSeconds() > MAX_TIMEOUT) {
        return List.of(
            new Violation(
                "connect_timeout",
                "must be <= "
                    + MAX_TIMEOUT
                    + "s, got "
                    + c.getConnectTimeout().getSeconds()
                    + "s"));
      }
      return List.of();
    }
  }

  private static Map<XdsType, Map<String, Message>> config(int listenerPort) {
    return Map.of(
        CLUSTER, Map.of("good", cluster("good", 1), "bad", cluster("bad", 99)),
        LISTENER, Map.of("l1", listener("l1", listenerPort)));
  }

  @Test
  void refusedResourceIsNotSentAndOthersAre() {
    TimeoutValidator validator = new TimeoutValidator();
    Logger logger = (Logger) LoggerFactory.getLogger(Connection.class);
    ListAppender<ILoggingEvent> logs = new ListAppender<>();
    logs.start();
    logger.addAppender(logs);
    try (AdsHarness h = new AdsHarness(validator)) {
      AdsTestClient a = h.client(NODE_A);
      AdsTestClient b = h.client(NODE_B);
      a.request(CLUSTER, List.of());
      a.request(LISTENER, List.of());
      b.deltaRequest(CLUSTER, List.of(), List.of(), Map.of());
      await().until(() -> h.ads.connections().size() == 2);

      h.ads.push(h.generator.context(config(80)));
      assertThat(names(a.awaitResponse(0))).containsExactly("good");
      a.awaitResponse(1);
      DeltaDiscoveryResponse delta = b.awaitDeltaResponse(0);
      assertThat(delta.getResourcesList()).extracting(r -> r.getName()).containsExactly("good");
      // Two proxies, two distinct clusters and a listener: three validations, not six.
      assertThat(validator.calls).hasValue(3);

      String violation = "connect_timeout: must be <= 10s, got 99s";
      assertThat(h.events.of("rejected"))
          .containsExactlyInAnyOrder(
              "rejected " + NODE_A + " cds bad: [" + violation + "]",
              "rejected " + NODE_B + " cds bad: [" + violation + "]");
      assertThat(logs.list)
          .extracting(ILoggingEvent::getFormattedMessage)
          .contains("Not sending cds bad to node " + NODE_A + ": " + violation);

      // The same refused cluster again (new push, LDS as the marker): not reported again.
      h.ads.push(h.generator.context(config(81)));
      assertThat(a.awaitResponse(2).getTypeUrl()).isEqualTo(LISTENER.typeUrl());
      assertThat(h.events.of("rejected")).hasSize(2);
    } finally {
      logger.detachAppender(logs);
    }
  }

  @Test
  void sotwKeepsTheLastGoodVersionOfAResourceThatBecomesInvalid() {
    TimeoutValidator validator = new TimeoutValidator();
    try (AdsHarness h = new AdsHarness(validator)) {
      AdsTestClient a = h.client(NODE_A);
      a.request(CLUSTER, List.of());
      await().until(() -> h.ads.connections().size() == 1);
      h.ads.push(
          h.generator.context(
              Map.of(CLUSTER, Map.of("good", cluster("good", 1), "flaky", cluster("flaky", 2)))));
      var first = a.awaitResponse(0);
      assertThat(names(first)).containsExactly("flaky", "good");
      a.ack(first);

      // "flaky" turns invalid while "good" changes: the response carries the new "good" and the
      // old "flaky", never the refused one, so Envoy does not delete the cluster it runs.
      h.ads.push(
          h.generator.context(
              Map.of(CLUSTER, Map.of("good", cluster("good", 3), "flaky", cluster("flaky", 99)))));
      var second = a.awaitResponse(1);
      assertThat(names(second)).containsExactly("flaky", "good");
      assertThat(second.getResources(0)).isEqualTo(first.getResources(0));
      assertThat(second.getResources(1)).isNotEqualTo(first.getResources(1));
      assertThat(second.getVersionInfo()).isNotEqualTo(first.getVersionInfo());
    }
  }
}
