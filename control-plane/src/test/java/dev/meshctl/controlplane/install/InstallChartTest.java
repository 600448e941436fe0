package dev.meshctl.controlplane.install;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The install chart ({@code install/helm/meshctl}): it lints, renders with default and non-default
 * values, every rendered document is a Kubernetes object, and the control plane's Deployment,
 * Service, PDB, HPA and gateway are wired to each other as described in values.yaml.
 */
class InstallChartTest {
  static final String DEFAULT_NS = "istio-system";
  static final String CUSTOM_NS = "mesh-system";

  private static final Set<String> CLUSTER_SCOPED =
      Set.of(
          "ClusterRole",
          "ClusterRoleBinding",
          "MutatingWebhookConfiguration",
          "ValidatingWebhookConfiguration",
          "CustomResourceDefinition");

  @Test
  void lintsCleanInStrictMode() {
    LintResult lint = new Helm(RenderedChart.chartDir()).lint().strict().call();

    assertThat(lint.isFailed()).as("helm lint --strict: %s", lint.getMessages()).isFalse();
    assertThat(lint.getMessages())
        .as("no warnings or errors")
        .noneMatch(m -> m.contains("[WARNING]") || m.contains("[ERROR]"));
  }

  @Test
  void defaultValuesRenderExactlyTheControlPlaneObjects() {
    RenderedChart chart = RenderedChart.render(DEFAULT_NS);

    assertThat(chart.kindsAndNames())
        .containsExactlyInAnyOrder(
            "ServiceAccount/istiod",
            "ConfigMap/istio",
            "ConfigMap/istio-sidecar-injector",
            "ClusterRole/istiod-clusterrole-istio-system",
            "ClusterRoleBinding/istiod-clusterrole-istio-system",
            "Role/istiod",
            "RoleBinding/istiod",
            "Service/istiod",
            "Deployment/istiod",
            "MutatingWebhookConfiguration/istio-sidecar-injector",
            "ValidatingWebhookConfiguration/istio-validator-istio-system");
    JsonNode deployment = chart.get("Deployment", "istiod");
    assertThat(deployment.at("/spec/replicas").asInt()).isEqualTo(1);
    assertThat(chart.container("istiod", "discovery").path("image").asText())
        .isEqualTo("ghcr.io/meshctl/meshctl:" + appVersion());
  }

  @Test
  void everyRenderedDocumentIsANamedKubernetesObjectInTheReleaseNamespace() {
    for (RenderedChart chart :
        List.of(RenderedChart.render(DEFAULT_NS), RenderedChart.renderNonDefault(CUSTOM_NS))) {
      assertThat(chart.documents()).isNotEmpty();
      for (JsonNode doc : chart.documents()) {
        String kind = doc.path("kind").asText();
        assertThat(doc.path("apiVersion").asText()).as("apiVersion of %s", doc).isNotBlank();
        assertThat(kind).as("kind of %s", doc).isNotBlank();
        assertThat(doc.at("/metadata/name").asText()).as("name of a %s", kind).isNotBlank();
        if (!CLUSTER_SCOPED.contains(kind)) {
          assertThat(doc.at("/metadata/namespace").asText())
              .as("namespace of %s/%s", kind, doc.at("/metadata/name").asText())
              .isEqualTo(chart.namespace());
        }
      }
    }
  }

  @Test
  void generatedCrdsAreCustomResourceDefinitionsNamedAfterTheirPluralAndGroup() throws Exception {
    // crds/crds.yaml is generated from api-crds by another part of the build; helm applies it at
    // install time (helm template leaves it out), so it is checked here on its own.
    Assumptions.assumeTrue(
        RenderedChart.crdsFile().isPresent(), "install/helm/meshctl/crds/crds.yaml not generated");
    List<JsonNode> crds =
        RenderedChart.parse(java.nio.file.Files.readString(RenderedChart.crdsFile().get()));

    assertThat(crds).isNotEmpty();
    for (JsonNode crd : crds) {
      assertThat(crd.path("apiVersion").asText()).isEqualTo("apiextensions.k8s.io/v1");
      assertThat(crd.path("kind").asText()).isEqualTo("CustomResourceDefinition");
      assertThat(crd.at("/metadata/name").asText())
          .isEqualTo(crd.at("/spec/names/plural").asText() + "." + crd.at("/spec/group").asText());
    }
  }

  @Test
  void nonDefaultValuesRenderAutoscalingDisruptionBudgetGatewayAndCustomImage() {
    RenderedChart chart = RenderedChart.renderNonDefault(CUSTOM_NS);

    assertThat(chart.kindsAndNames())
        .contains(
            "HorizontalPodAutoscaler/istiod",
            "PodDisruptionBudget/istiod",
            "Deployment/istio-ingressgateway",
            "Service/istio-ingressgateway",
            "ServiceAccount/istio-ingressgateway",
            "ClusterRole/istiod-clusterrole-mesh-system",
            "ValidatingWebhookConfiguration/istio-validator-mesh-system");
    JsonNode deployment = chart.get("Deployment", "istiod");
    assertThat(deployment.at("/spec").has("replicas"))
        .as("with an HPA the chart leaves the replica count to it")
        .isFalse();
    assertThat(chart.container("istiod", "discovery").path("image").asText())
        .isEqualTo("registry.example.com/mesh/meshctl:9.9.9");

    JsonNode hpa = chart.get("HorizontalPodAutoscaler", "istiod");
    assertThat(hpa.at("/spec/scaleTargetRef/kind").asText()).isEqualTo("Deployment");
    assertThat(hpa.at("/spec/scaleTargetRef/name").asText()).isEqualTo("istiod");
    assertThat(hpa.at("/spec/minReplicas").asInt()).isEqualTo(2);
    assertThat(hpa.at("/spec/maxReplicas").asInt()).isEqualTo(6);
    List<String> metrics = new ArrayList<>();
    hpa.at("/spec/metrics")
        .forEach(
            m ->
                metrics.add(
                    m.at("/resource/name").asText()
                        + "="
                        + m.at("/resource/target/averageUtilization").asInt()));
    assertThat(metrics).containsExactly("cpu=80", "memory=70");

    JsonNode pdb = chart.get("PodDisruptionBudget", "istiod");
    assertThat(pdb.at("/spec/minAvailable").asInt()).isEqualTo(1);
    assertThat(pdb.at("/spec/selector/matchLabels"))
        .isEqualTo(deployment.at("/spec/selector/matchLabels"));
  }

  @Test
  void disruptionBudgetOnlyWhenTwoReplicasAreGuaranteed() {
    assertThat(RenderedChart.render(DEFAULT_NS).find("PodDisruptionBudget", "istiod")).isEmpty();
    assertThat(
            RenderedChart.render(DEFAULT_NS, Map.of("replicaCount", 2))
                .find("PodDisruptionBudget", "istiod"))
        .isPresent();
    // An HPA that may scale down to one replica gives no guarantee, whatever replicaCount says.
    assertThat(
            RenderedChart.render(DEFAULT_NS, Map.of("replicaCount", 3, "autoscaling.enabled", true))
                .find("PodDisruptionBudget", "istiod"))
        .isEmpty();
    RenderedChart three = RenderedChart.render(DEFAULT_NS, Map.of("replicaCount", 3));
    assertThat(three.get("Deployment", "istiod").at("/spec/replicas").asInt()).isEqualTo(3);
  }

  @Test
  void autoscalingBoundsThatCannotHoldAreRefused() {
    assertThatThrownBy(
            () ->
                RenderedChart.render(
                    DEFAULT_NS,
                    Map.of(
                        "autoscaling.enabled",
                        true,
                        "autoscaling.minReplicas",
                        7,
                        "autoscaling.maxReplicas",
                        3)))
        .hasMessageContaining(
            "autoscaling.minReplicas (7) must not exceed autoscaling.maxReplicas (3)");
  }

  @Test
  void serviceExposesIstiosPortNamesOnTheContainersPorts() {
    RenderedChart chart = RenderedChart.render(DEFAULT_NS);
    JsonNode service = chart.get("Service", "istiod");
    JsonNode container = chart.container("istiod", "discovery");

    assertThat(RenderedChart.ports(service.at("/spec/ports"), "port"))
        .containsExactly(
            Map.entry("grpc-xds", 15010),
            Map.entry("https-dns", 15012),
            Map.entry("http-monitoring", 15014),
            Map.entry("https-webhook", 443));
    assertThat(RenderedChart.ports(service.at("/spec/ports"), "targetPort"))
        .containsExactly(
            Map.entry("grpc-xds", 15010),
            Map.entry("https-dns", 15012),
            Map.entry("http-monitoring", 15014),
            Map.entry("https-webhook", 15017));
    assertThat(RenderedChart.ports(container.path("ports"), "containerPort").values())
        .containsExactlyInAnyOrder(15010, 15012, 15014, 15017);
    assertThat(labelsMatch(service.at("/spec/selector"), podLabels(chart, "istiod")))
        .as("the Service selects the control plane pods")
        .isTrue();
  }

  @Test
  void controlPlanePodIsNonRootReadyOnSlashReadyScrapedAndSpread() {
    RenderedChart chart = RenderedChart.render(DEFAULT_NS);
    JsonNode deployment = chart.get("Deployment", "istiod");
    JsonNode pod = deployment.at("/spec/template");
    JsonNode container = chart.container("istiod", "discovery");

    assertThat(container.at("/readinessProbe/httpGet/path").asText()).isEqualTo("/ready");
    assertThat(container.at("/readinessProbe/httpGet/port").asInt()).isEqualTo(15014);
    assertThat(pod.at("/spec/securityContext/runAsNonRoot").asBoolean()).isTrue();
    assertThat(pod.at("/spec/securityContext/runAsUser").asInt()).isPositive();
    assertThat(container.at("/securityContext/allowPrivilegeEscalation").asBoolean(true)).isFalse();
    assertThat(container.at("/securityContext/readOnlyRootFilesystem").asBoolean()).isTrue();
    assertThat(container.at("/securityContext/capabilities/drop/0").asText()).isEqualTo("ALL");
    assertThat(container.at("/resources/requests/cpu").asText()).isNotBlank();
    assertThat(container.at("/resources/requests/memory").asText()).isNotBlank();

    JsonNode annotations = pod.at("/metadata/annotations");
    assertThat(annotations.path("prometheus.io/scrape").asText()).isEqualTo("true");
    assertThat(annotations.path("prometheus.io/port").asText()).isEqualTo("15014");
    assertThat(pod.at("/metadata/labels/sidecar.istio.io~1inject").asText()).isEqualTo("false");

    JsonNode term =
        pod.at("/spec/affinity/podAntiAffinity/preferredDuringSchedulingIgnoredDuringExecution/0");
    assertThat(term.at("/podAffinityTerm/topologyKey").asText())
        .isEqualTo("kubernetes.io/hostname");
    assertThat(term.at("/podAffinityTerm/labelSelector/matchLabels"))
        .isEqualTo(deployment.at("/spec/selector/matchLabels"));
    assertThat(labelsMatch(deployment.at("/spec/selector/matchLabels"), podLabels(chart, "istiod")))
        .isTrue();
    // No --ca-dir: with --kube the CA material lives in Secrets all replicas share, not in a
    // per-pod directory.
    assertThat(chart.istiodArgs()).noneMatch(a -> a.startsWith("--ca-dir"));
  }

  @Test
  void ingressGatewayRunsIstioProxyInRouterModeBehindPorts80And443() {
    RenderedChart chart = RenderedChart.renderNonDefault(CUSTOM_NS);
    JsonNode gateway = chart.get("Deployment", "istio-ingressgateway");
    JsonNode proxy = chart.container("istio-ingressgateway", "istio-proxy");
    JsonNode service = chart.get("Service", "istio-ingressgateway");

    assertThat(proxy.path("image").asText()).isEqualTo("docker.io/istio/proxyv2:1.28.0");
    assertThat(proxy.at("/args/0").asText()).isEqualTo("proxy");
    assertThat(proxy.at("/args/1").asText()).isEqualTo("router");
    assertThat(gateway.at("/spec/template/metadata/labels/istio").asText())
        .isEqualTo("ingressgateway");
    assertThat(service.at("/spec/selector/istio").asText()).isEqualTo("ingressgateway");
    assertThat(labelsMatch(service.at("/spec/selector"), podLabels(chart, "istio-ingressgateway")))
        .isTrue();
    Map<String, Integer> ports = RenderedChart.ports(service.at("/spec/ports"), "port");
    Map<String, Integer> targets = RenderedChart.ports(service.at("/spec/ports"), "targetPort");
    assertThat(ports).containsEntry("http2", 80).containsEntry("https", 443);
    assertThat(targets).containsEntry("http2", 8080).containsEntry("https", 8443);
    assertThat(RenderedChart.ports(proxy.path("ports"), "containerPort"))
        .containsEntry("http2", 8080)
        .containsEntry("https", 8443);
    String caAddr = "";
    for (JsonNode env : proxy.path("env")) {
      if ("CA_ADDR".equals(env.path("name").asText())) {
        caAddr = env.path("value").asText();
      }
    }
    assertThat(caAddr).isEqualTo("istiod.mesh-system.svc:15012");
    assertThat(RenderedChart.render(DEFAULT_NS).find("Deployment", "istio-ingressgateway"))
        .as("off by default")
        .isEmpty();
  }

  static String appVersion() {
    JsonNode chart = RenderedChart.parseOne(read(RenderedChart.chartDir().resolve("Chart.yaml")));
    return chart.path("appVersion").asText();
  }

  static String read(java.nio.file.Path file) {
    try {
      return java.nio.file.Files.readString(file);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  static JsonNode volume(JsonNode deployment, String name) {
    for (JsonNode v : deployment.at("/spec/template/spec/volumes")) {
      if (name.equals(v.path("name").asText())) {
        return v;
      }
    }
    throw new AssertionError("no volume " + name);
  }

  private static JsonNode podLabels(RenderedChart chart, String deployment) {
    return chart.get("Deployment", deployment).at("/spec/template/metadata/labels");
  }

  /** Whether every label of {@code selector} is on {@code labels} with the same value. */
  private static boolean labelsMatch(JsonNode selector, JsonNode labels) {
    assertThat(selector.size()).as("selector %s is not empty", selector).isPositive();
    for (Map.Entry<String, JsonNode> e : selector.properties()) {
      if (!e.getValue().asText().equals(labels.path(e.getKey()).asText(null))) {
        return false;
      }
    }
    return true;
  }
}
