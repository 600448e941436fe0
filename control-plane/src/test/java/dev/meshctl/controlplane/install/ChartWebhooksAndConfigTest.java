package dev.meshctl.controlplane.install;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.meshctl.injector.InjectionConfig;
import dev.meshctl.injector.InjectionConfigLoader;
import dev.meshctl.injector.LabelSelectorMatcher;
import io.fabric8.kubernetes.api.model.LabelSelector;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The chart's admission webhooks point at Service istiod on the right paths and select the pods
 * Istio's webhooks select; its ConfigMaps carry the values and are readable by the injector's own
 * loader.
 */
class ChartWebhooksAndConfigTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  @Test
  void injectionWebhooksCallIstiodSlashInjectOn443AndFailClosed() {
    RenderedChart chart = RenderedChart.render(InstallChartTest.CUSTOM_NS);
    JsonNode config = chart.get("MutatingWebhookConfiguration", "istio-sidecar-injector");

    List<String> names = new ArrayList<>();
    for (JsonNode hook : config.path("webhooks")) {
      names.add(hook.path("name").asText());
      assertThat(hook.at("/clientConfig/service/name").asText()).isEqualTo("istiod");
      assertThat(hook.at("/clientConfig/service/namespace").asText()).isEqualTo("mesh-system");
      assertThat(hook.at("/clientConfig/service/path").asText()).isEqualTo("/inject");
      assertThat(hook.at("/clientConfig/service/port").asInt()).isEqualTo(443);
      assertThat(hook.at("/clientConfig").has("caBundle"))
          .as("the control plane patches the caBundle in")
          .isFalse();
      assertThat(hook.path("failurePolicy").asText()).isEqualTo("Fail");
      assertThat(hook.path("sideEffects").asText()).isEqualTo("None");
      assertThat(hook.at("/rules/0/operations").toString()).isEqualTo("[\"CREATE\"]");
      assertThat(hook.at("/rules/0/resources").toString()).isEqualTo("[\"pods\"]");
      assertThat(hook.at("/rules/0/apiGroups").toString()).isEqualTo("[\"\"]");
    }
    assertThat(names)
        .containsExactly(
            "rev.namespace.sidecar-injector.istio.io",
            "rev.object.sidecar-injector.istio.io",
            "namespace.sidecar-injector.istio.io",
            "object.sidecar-injector.istio.io");
  }

  /** Namespace labels, pod labels, and the webhooks that must fire (Istio's selection rules). */
  private record Case(Map<String, String> ns, Map<String, String> pod, List<String> fire) {}

  @Test
  void eachPodIsSentToAtMostOneWebhookAndInjectFalseToNone() throws Exception {
    JsonNode config =
        RenderedChart.render(InstallChartTest.DEFAULT_NS)
            .get("MutatingWebhookConfiguration", "istio-sidecar-injector");
    String inject = "sidecar.istio.io/inject";
    List<Case> cases =
        List.of(
            new Case(Map.of("istio-injection", "enabled"), Map.of(), List.of("namespace")),
            new Case(Map.of("istio-injection", "enabled"), Map.of(inject, "false"), List.of()),
            new Case(
                Map.of("istio-injection", "enabled"), Map.of(inject, "true"), List.of("namespace")),
            new Case(Map.of("istio-injection", "disabled"), Map.of(inject, "true"), List.of()),
            new Case(Map.of(), Map.of(inject, "true"), List.of("object")),
            new Case(Map.of(), Map.of(inject, "false"), List.of()),
            new Case(Map.of(), Map.of(), List.of()),
            new Case(Map.of("istio.io/rev", "default"), Map.of(), List.of("rev.namespace")),
            new Case(Map.of("istio.io/rev", "default"), Map.of(inject, "false"), List.of()),
            new Case(Map.of("istio.io/rev", "canary"), Map.of(), List.of()),
            new Case(Map.of(), Map.of("istio.io/rev", "default"), List.of("rev.object")),
            new Case(Map.of(), Map.of("istio.io/rev", "default", inject, "false"), List.of()));

    for (Case c : cases) {
      List<String> fired = new ArrayList<>();
      for (JsonNode hook : config.path("webhooks")) {
        if (selects(hook.path("namespaceSelector"), c.ns())
            && selects(hook.path("objectSelector"), c.pod())) {
          fired.add(hook.path("name").asText().replace(".sidecar-injector.istio.io", ""));
        }
      }
      assertThat(fired).as("namespace %s, pod %s", c.ns(), c.pod()).isEqualTo(c.fire());
    }
  }

  /**
   * {@code revisionTags}: one tag webhook configuration each, labelled as the control plane's tag
   * watcher and CA-bundle patcher expect, injecting exactly the namespaces and pods labelled with
   * the tag.
   */
  @Test
  void revisionTagsRenderOneTagWebhookConfigurationEach() throws Exception {
    RenderedChart none = RenderedChart.render(InstallChartTest.DEFAULT_NS);
    assertThat(none.kindsAndNames()).noneMatch(k -> k.contains("istio-revision-tag-"));
    RenderedChart chart =
        RenderedChart.render(
            InstallChartTest.DEFAULT_NS, Map.of("revision", "canary", "revisionTags[0]", "prod"));
    JsonNode tag = chart.get("MutatingWebhookConfiguration", "istio-revision-tag-prod");
    assertThat(tag.at("/metadata/labels/istio.io~1tag").asText()).isEqualTo("prod");
    assertThat(tag.at("/metadata/labels/istio.io~1rev").asText()).isEqualTo("canary");
    List<Case> cases =
        List.of(
            new Case(Map.of("istio.io/rev", "prod"), Map.of(), List.of("rev.namespace")),
            new Case(Map.of("istio.io/rev", "canary"), Map.of(), List.of()),
            new Case(Map.of(), Map.of("istio.io/rev", "prod"), List.of("rev.object")),
            new Case(
                Map.of("istio.io/rev", "prod"),
                Map.of("sidecar.istio.io/inject", "false"),
                List.of()),
            new Case(Map.of("istio-injection", "enabled"), Map.of(), List.of()));
    for (Case c : cases) {
      List<String> fired = new ArrayList<>();
      for (JsonNode hook : tag.path("webhooks")) {
        assertThat(hook.at("/clientConfig/service/path").asText()).isEqualTo("/inject");
        if (selects(hook.path("namespaceSelector"), c.ns())
            && selects(hook.path("objectSelector"), c.pod())) {
          fired.add(hook.path("name").asText().replace(".sidecar-injector.istio.io", ""));
        }
      }
      assertThat(fired).as("namespace %s, pod %s", c.ns(), c.pod()).isEqualTo(c.fire());
    }
  }

  @Test
  void validationWebhookCallsIstiodSlashValidateForIstioConfigWrites() {
    JsonNode defaults =
        RenderedChart.render(InstallChartTest.DEFAULT_NS)
            .get("ValidatingWebhookConfiguration", "istio-validator-istio-system");
    JsonNode hook = defaults.at("/webhooks/0");

    assertThat(defaults.path("webhooks").size()).isEqualTo(1);
    assertThat(hook.at("/clientConfig/service/name").asText()).isEqualTo("istiod");
    assertThat(hook.at("/clientConfig/service/namespace").asText()).isEqualTo("istio-system");
    assertThat(hook.at("/clientConfig/service/path").asText()).isEqualTo("/validate");
    assertThat(hook.at("/clientConfig/service/port").asInt()).isEqualTo(443);
    assertThat(hook.at("/clientConfig").has("caBundle")).isFalse();
    assertThat(hook.at("/rules/0/apiGroups").toString())
        .isEqualTo("[\"networking.istio.io\",\"security.istio.io\"]");
    assertThat(hook.at("/rules/0/operations").toString()).isEqualTo("[\"CREATE\",\"UPDATE\"]");
    assertThat(hook.path("failurePolicy").asText()).isEqualTo("Ignore");

    JsonNode custom =
        RenderedChart.renderNonDefault(InstallChartTest.CUSTOM_NS)
            .get("ValidatingWebhookConfiguration", "istio-validator-mesh-system");
    assertThat(custom.at("/webhooks/0/failurePolicy").asText()).isEqualTo("Fail");
    assertThat(custom.at("/webhooks/0/clientConfig/service/namespace").asText())
        .isEqualTo("mesh-system");
  }

  @Test
  void meshConfigMergesValuesOverDefaultsThatNameTheReleaseNamespace() {
    JsonNode defaults = mesh(RenderedChart.render(InstallChartTest.DEFAULT_NS));
    assertThat(defaults.path("rootNamespace").asText()).isEqualTo("istio-system");
    assertThat(defaults.path("trustDomain").asText()).isEqualTo("cluster.local");
    assertThat(defaults.at("/outboundTrafficPolicy/mode").asText()).isEqualTo("ALLOW_ANY");
    assertThat(defaults.at("/defaultConfig/discoveryAddress").asText())
        .isEqualTo("istiod.istio-system.svc:15012");

    RenderedChart customChart = RenderedChart.renderNonDefault(InstallChartTest.CUSTOM_NS);
    JsonNode custom = mesh(customChart);
    assertThat(custom.path("rootNamespace").asText()).isEqualTo("mesh-system");
    assertThat(custom.path("trustDomain").asText()).isEqualTo("example.org");
    assertThat(custom.at("/outboundTrafficPolicy/mode").asText()).isEqualTo("REGISTRY_ONLY");
    assertThat(custom.at("/defaultConfig/discoveryAddress").asText())
        .isEqualTo("istiod.mesh-system.svc:15012");
    assertThat(customChart.istiodArgs()).contains("--trust-domain=example.org");
  }

  @Test
  void injectorConfigMapLoadsThroughTheInjectorsOwnLoader() throws Exception {
    InjectionConfig defaults = injection(RenderedChart.render(InstallChartTest.DEFAULT_NS));
    assertThat(defaults.discoveryAddress()).isEqualTo("istiod.istio-system.svc:15012");
    assertThat(defaults.istioNamespace()).isEqualTo("istio-system");
    assertThat(defaults.proxyImage()).isEqualTo("docker.io/istio/proxyv2:1.28.0");
    assertThat(defaults.trustDomain()).isEqualTo("cluster.local");
    assertThat(defaults.injectByDefault()).isTrue();
    assertThat(defaults.neverInjectSelector()).isEmpty();
    assertThat(defaults.proxyResources().requestsCpu()).isEqualTo("100m");

    InjectionConfig custom = injection(RenderedChart.renderNonDefault(InstallChartTest.CUSTOM_NS));
    assertThat(custom.discoveryAddress()).isEqualTo("istiod.mesh-system.svc:15012");
    assertThat(custom.istioNamespace()).isEqualTo("mesh-system");
    assertThat(custom.trustDomain()).isEqualTo("example.org");
    assertThat(custom.meshId()).isEqualTo("example.org");
    assertThat(custom.injectByDefault()).isFalse();
    assertThat(custom.neverInjectSelector()).hasSize(1);
    assertThat(custom.neverInjectSelector().get(0).matches(Map.of("openshift.io/build.name", "b")))
        .isTrue();
  }

  private static JsonNode mesh(RenderedChart chart) {
    return RenderedChart.parseOne(chart.get("ConfigMap", "istio").at("/data/mesh").asText());
  }

  /**
   * Loads the rendered ConfigMap, and checks the manifest key {@code serve --injector-values} reads
   * in the pod loads to the same configuration.
   */
  private static InjectionConfig injection(RenderedChart chart) throws Exception {
    JsonNode object = chart.get("ConfigMap", "istio-sidecar-injector");
    InjectionConfig fromObject =
        InjectionConfigLoader.fromConfigMap(
            YAML.writeValueAsString(object), InjectionConfig.defaults());
    String manifest = object.at("/data/istio-sidecar-injector.yaml").asText();
    assertThat(manifest).isNotBlank();
    ObjectNode data = ((ObjectNode) object.path("data")).deepCopy();
    data.remove("istio-sidecar-injector.yaml");
    assertThat(RenderedChart.parseOne(manifest).path("data")).isEqualTo(data);
    assertThat(InjectionConfigLoader.fromConfigMap(manifest, InjectionConfig.defaults()))
        .isEqualTo(fromObject);
    return fromObject;
  }

  private static boolean selects(JsonNode selector, Map<String, String> labels) throws Exception {
    if (selector.isMissingNode()) {
      return true;
    }
    LabelSelector s = JSON.treeToValue(selector, LabelSelector.class);
    return LabelSelectorMatcher.of(s, "webhook").matches(labels);
  }
}
