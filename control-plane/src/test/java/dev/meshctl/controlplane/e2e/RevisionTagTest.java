package dev.meshctl.controlplane.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.meshctl.controlplane.ControlPlane;
import dev.meshctl.controlplane.leader.ElectionSettings;
import dev.meshctl.controlplane.push.PushLoop;
import dev.meshctl.controlplane.source.kube.KubernetesSource;
import dev.meshctl.controlplane.xds.AdsXdsFrontend;
import dev.meshctl.xds.testing.AdsTestClient;
import dev.meshctl.xds.translate.XdsType;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfigurationBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Revision tags against the fabric8 CRUD mock API server: a control plane of revision {@code
 * canary} ignores a VirtualService labelled {@code istio.io/rev=prod} until a tag webhook
 * configuration {@code prod -> canary} is created through the API, serves it then, and drops it
 * again when the tag is deleted. Observed on a real ADS stream (RDS {@code 8080}).
 */
@EnableKubernetesMockClient(crud = true)
class RevisionTagTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final ResourceDefinitionContext VIRTUAL_SERVICES =
      new ResourceDefinitionContext.Builder()
          .withGroup("networking.istio.io")
          .withVersion("v1")
          .withKind("VirtualService")
          .withPlural("virtualservices")
          .withNamespaced(true)
          .build();

  KubernetesMockServer server;
  KubernetesClient client;

  private ControlPlane cp;
  private ManagedChannel channel;
  private AdsTestClient proxy;

  @AfterEach
  void stop() throws InterruptedException {
    if (proxy != null) {
      proxy.close();
    }
    if (channel != null) {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    if (cp != null) {
      cp.close();
    }
  }

  @Test
  void configOfATagPointingAtOurRevisionIsServedWhileTheTagExists() throws Exception {
    client
        .services()
        .resource(
            new ServiceBuilder()
                .withNewMetadata()
                .withNamespace("default")
                .withName("reviews")
                .endMetadata()
                .withNewSpec()
                .withClusterIP("10.96.0.9")
                .addNewPort()
                .withName("http")
                .withPort(8080)
                .endPort()
                .endSpec()
                .build())
        .create();
    GenericKubernetesResource vs = new GenericKubernetesResource();
    vs.setApiVersion("networking.istio.io/v1");
    vs.setKind("VirtualService");
    vs.setMetadata(
        new io.fabric8.kubernetes.api.model.ObjectMetaBuilder()
            .withNamespace("default")
            .withName("reviews")
            .withLabels(Map.of("istio.io/rev", "prod"))
            .build());
    vs.setAdditionalProperty(
        "spec",
        Map.of(
            "hosts",
            List.of("reviews"),
            "http",
            List.of(
                Map.of(
                    "timeout",
                    "7s",
                    "route",
                    List.of(Map.of("destination", Map.of("host", "reviews")))))));
    client.genericKubernetesResources(VIRTUAL_SERVICES).resource(vs).create();

    cp =
        ControlPlane.start(
            new ControlPlane.Settings(
                Optional.empty(),
                0,
                0,
                new PushLoop.Settings(Duration.ofMillis(20), Duration.ofSeconds(1)),
                Optional.of(KubernetesSource.Settings.DEFAULT),
                Optional.empty(),
                ElectionSettings.DEFAULT,
                Optional.empty(),
                "canary"),
            AdsXdsFrontend.factory(Clock.systemUTC()),
            Clock.systemUTC(),
            settings -> server.createClient());
    await().atMost(WAIT).until(cp::ready);
    channel =
        Grpc.newChannelBuilder("127.0.0.1:" + cp.xdsPort(), InsecureChannelCredentials.create())
            .build();
    proxy =
        new AdsTestClient(
            channel,
            AdsTestClient.node("sidecar~10.1.0.1~client.default~default.svc.cluster.local"));
    proxy.request(XdsType.ROUTE, List.of("8080"));
    DiscoveryResponse first = proxy.awaitResponse(0);
    proxy.ack(first);
    assertThat(routes(first))
        .as("prod's VirtualService is not canary's")
        .doesNotContain("seconds: 7");

    MutatingWebhookConfiguration tag =
        new MutatingWebhookConfigurationBuilder()
            .withNewMetadata()
            .withName("istio-revision-tag-prod")
            .withLabels(Map.of("istio.io/tag", "prod", "istio.io/rev", "canary"))
            .endMetadata()
            .build();
    client.admissionRegistration().v1().mutatingWebhookConfigurations().resource(tag).create();
    DiscoveryResponse tagged = awaitRoutes(1, true);

    client.admissionRegistration().v1().mutatingWebhookConfigurations().resource(tag).delete();
    DiscoveryResponse untagged = awaitRoutes(proxy.responses().indexOf(tagged) + 1, false);
    assertThat(untagged.getVersionInfo()).isNotEqualTo(tagged.getVersionInfo());
  }

  /** ACKs responses from {@code from} on until one does (or does not) carry the 7 s timeout. */
  private DiscoveryResponse awaitRoutes(int from, boolean withTimeout) throws Exception {
    int i = from;
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (System.nanoTime() < deadline) {
      DiscoveryResponse r = proxy.awaitResponse(i);
      proxy.ack(r);
      if (routes(r).contains("seconds: 7") == withTimeout) {
        return r;
      }
      i++;
    }
    throw new AssertionError("no RDS response " + (withTimeout ? "with" : "without") + " 7s");
  }

  private static String routes(DiscoveryResponse r) throws Exception {
    return r.getResources(0).unpack(RouteConfiguration.class).toString();
  }
}
