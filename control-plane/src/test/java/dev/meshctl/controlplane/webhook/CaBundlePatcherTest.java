package dev.meshctl.controlplane.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfigurationBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfigurationBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@EnableKubernetesMockClient(crud = true)
class CaBundlePatcherTest {
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final String ROOT_1 =
      "-----BEGIN CERTIFICATE-----\nroot-1\n-----END CERTIFICATE-----\n";
  private static final String ROOT_2 =
      "-----BEGIN CERTIFICATE-----\nroot-2\n-----END CERTIFICATE-----\n";

  KubernetesClient client;

  private final AtomicReference<String> root = new AtomicReference<>(ROOT_1);
  private CaBundlePatcher patcher;

  private static String b64(String pem) {
    return Base64.getEncoder().encodeToString(pem.getBytes(StandardCharsets.US_ASCII));
  }

  @BeforeEach
  void install() {
    // As the chart installs them: no caBundle.
    client
        .admissionRegistration()
        .v1()
        .mutatingWebhookConfigurations()
        .resource(
            new MutatingWebhookConfigurationBuilder()
                .withNewMetadata()
                .withName(CaBundlePatcher.INJECTOR)
                .endMetadata()
                .addNewWebhook()
                .withName("rev.namespace.sidecar-injector.istio.io")
                .withNewClientConfig()
                .withNewService("istiod", "istio-system", "/inject", 443)
                .endClientConfig()
                .endWebhook()
                .addNewWebhook()
                .withName("namespace.sidecar-injector.istio.io")
                .withNewClientConfig()
                .withNewService("istiod", "istio-system", "/inject", 443)
                .endClientConfig()
                .endWebhook()
                .build())
        .create();
    client
        .admissionRegistration()
        .v1()
        .validatingWebhookConfigurations()
        .resource(
            new ValidatingWebhookConfigurationBuilder()
                .withNewMetadata()
                .withName("istio-validator-istio-system")
                .endMetadata()
                .addNewWebhook()
                .withName("validation.istio.io")
                .withNewClientConfig()
                .withNewService("istiod", "istio-system", "/validate", 443)
                .endClientConfig()
                .endWebhook()
                .build())
        .create();
  }

  @AfterEach
  void stop() {
    if (patcher != null) {
      patcher.stop();
    }
  }

  private List<String> mutatingBundles() {
    MutatingWebhookConfiguration m =
        client
            .admissionRegistration()
            .v1()
            .mutatingWebhookConfigurations()
            .withName(CaBundlePatcher.INJECTOR)
            .get();
    return m.getWebhooks().stream()
        .map(MutatingWebhook::getClientConfig)
        .map(c -> c.getCaBundle())
        .toList();
  }

  private List<String> validatingBundles() {
    ValidatingWebhookConfiguration v =
        client
            .admissionRegistration()
            .v1()
            .validatingWebhookConfigurations()
            .withName("istio-validator-istio-system")
            .get();
    return v.getWebhooks().stream()
        .map(ValidatingWebhook::getClientConfig)
        .map(c -> c.getCaBundle())
        .toList();
  }

  @Test
  void patchesTheRootIntoEveryWebhookAndKeepsItThere() {
    patcher = new CaBundlePatcher(client, "istio-system", root::get, Duration.ofMillis(100));
    patcher.start();

    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              assertThat(mutatingBundles()).containsExactly(b64(ROOT_1), b64(ROOT_1));
              assertThat(validatingBundles()).containsExactly(b64(ROOT_1));
            });
    await().atMost(WAIT).until(() -> patcher.patches() == 2);

    // An unrelated change, then someone overwrites one bundle: only that one is patched back,
    // and the label change alone (bundles current) wrote nothing.
    client
        .admissionRegistration()
        .v1()
        .mutatingWebhookConfigurations()
        .withName(CaBundlePatcher.INJECTOR)
        .edit(
            m -> {
              m.getMetadata().setLabels(java.util.Map.of("touched", "yes"));
              return m;
            });
    client
        .admissionRegistration()
        .v1()
        .mutatingWebhookConfigurations()
        .withName(CaBundlePatcher.INJECTOR)
        .edit(
            m -> {
              m.getWebhooks().get(1).getClientConfig().setCaBundle(b64("not ours"));
              return m;
            });
    await().atMost(WAIT).until(() -> mutatingBundles().equals(List.of(b64(ROOT_1), b64(ROOT_1))));
    // The patcher counts a write after the API server has applied it: wait for the count too.
    await().atMost(WAIT).until(() -> patcher.patches() >= 3);
    assertThat(patcher.patches()).isEqualTo(3);

    // Rotation: both configurations follow the new root.
    root.set(ROOT_2);
    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              assertThat(mutatingBundles()).containsExactly(b64(ROOT_2), b64(ROOT_2));
              assertThat(validatingBundles()).containsExactly(b64(ROOT_2));
            });
    await().atMost(WAIT).until(() -> patcher.patches() >= 5);
    assertThat(patcher.patches()).isEqualTo(5);
  }

  private void createTag(String tag, String revision) {
    client
        .admissionRegistration()
        .v1()
        .mutatingWebhookConfigurations()
        .resource(
            new MutatingWebhookConfigurationBuilder()
                .withNewMetadata()
                .withName("istio-revision-tag-" + tag)
                .withLabels(java.util.Map.of("istio.io/tag", tag, "istio.io/rev", revision))
                .endMetadata()
                .addNewWebhook()
                .withName("rev.namespace.sidecar-injector.istio.io")
                .withNewClientConfig()
                .withNewService("istiod-" + revision, "istio-system", "/inject", 443)
                .endClientConfig()
                .endWebhook()
                .build())
        .create();
  }

  private String tagBundle(String tag) {
    return client
        .admissionRegistration()
        .v1()
        .mutatingWebhookConfigurations()
        .withName("istio-revision-tag-" + tag)
        .get()
        .getWebhooks()
        .get(0)
        .getClientConfig()
        .getCaBundle();
  }

  /** Tags pointing at our revision call our injector: patched; another revision's are not ours. */
  @Test
  void patchesTheRevisionTagsPointingAtThisRevisionOnly() {
    createTag("prod", "canary");
    createTag("stable", "old");
    patcher =
        new CaBundlePatcher(client, "istio-system", "canary", root::get, Duration.ofMillis(100));
    patcher.start();
    await().atMost(WAIT).until(() -> b64(ROOT_1).equals(tagBundle("prod")));
    // The chart's two configurations and the tag: three patches, none for the other revision.
    await().atMost(WAIT).until(() -> patcher.patches() == 3);
    assertThat(tagBundle("stable")).isNull();
    // A tag created later is patched too.
    createTag("next", "canary");
    await().atMost(WAIT).until(() -> b64(ROOT_1).equals(tagBundle("next")));
  }

  @Test
  void validatorNameFollowsTheNamespace() {
    assertThat(CaBundlePatcher.validatorName("mesh")).isEqualTo("istio-validator-mesh");
  }
}
