package dev.meshctl.injector;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Selection rules and template details of {@link SidecarInjector#inject}. */
class SidecarInjectorTest {
  static final InjectionConfig CONFIG = Trees.ISTIO_TEST_VALUES;

  static Namespace ns(String name, Map<String, String> labels) {
    return new NamespaceBuilder()
        .withNewMetadata()
        .withName(name)
        .withLabels(labels)
        .endMetadata()
        .build();
  }

  static PodBuilder pod() {
    return new PodBuilder()
        .withNewMetadata()
        .withName("web-0")
        .addToLabels("app", "web")
        .endMetadata()
        .withNewSpec()
        .addNewContainer()
        .withName("web")
        .withImage("example.com/web:1")
        .endContainer()
        .endSpec();
  }

  static Namespace enabled(String name) {
    return ns(name, Map.of("istio-injection", "enabled"));
  }

  static String notInjected(InjectionResult r) {
    assertThat(r).isInstanceOf(InjectionResult.NotInjected.class);
    return ((InjectionResult.NotInjected) r).reason();
  }

  static Pod injected(InjectionResult r) {
    assertThat(r).isInstanceOf(InjectionResult.Injected.class);
    return ((InjectionResult.Injected) r).pod();
  }

  static Container container(List<Container> list, String name) {
    return list.stream().filter(c -> c.getName().equals(name)).findFirst().orElseThrow();
  }

  static String env(Container c, String name) {
    return c.getEnv().stream()
        .filter(e -> e.getName().equals(name))
        .map(EnvVar::getValue)
        .findFirst()
        .orElse(null);
  }

  @Test
  void enabledNamespaceInjectsANativeSidecar() {
    Pod out = injected(SidecarInjector.inject(pod().build(), enabled("shop"), CONFIG));

    assertThat(out.getSpec().getInitContainers())
        .extracting(Container::getName)
        .containsExactly("istio-init", "istio-proxy");
    assertThat(out.getSpec().getContainers()).extracting(Container::getName).containsExactly("web");
    Container proxy = container(out.getSpec().getInitContainers(), "istio-proxy");
    assertThat(proxy.getRestartPolicy()).isEqualTo("Always");
    assertThat(proxy.getSecurityContext().getRunAsUser()).isEqualTo(1337L);
    assertThat(out.getMetadata().getNamespace()).isEqualTo("shop");
    assertThat(env(proxy, "ISTIO_META_OWNER"))
        .isEqualTo("kubernetes://apis/v1/namespaces/shop/pods/web-0");
    assertThat(out.getMetadata().getLabels())
        .containsEntry("security.istio.io/tlsMode", "istio")
        .containsEntry("service.istio.io/canonical-name", "web")
        .containsEntry("service.istio.io/canonical-revision", "latest");
  }

  @Test
  void theInputPodIsNotModifiedAndOutputIsDeterministic() {
    Pod in = pod().build();
    JsonNode before = Manifests.JSON.valueToTree(in);

    Pod first = injected(SidecarInjector.inject(in, enabled("shop"), CONFIG));
    Pod second = injected(SidecarInjector.inject(in, enabled("shop"), CONFIG));

    JsonNode after = Manifests.JSON.valueToTree(in);
    assertThat(after).isEqualTo(before);
    assertThat(first).isEqualTo(second);
  }

  @Test
  void injectedPodIsLeftAlone() {
    Pod once = injected(SidecarInjector.inject(pod().build(), enabled("shop"), CONFIG));

    assertThat(notInjected(SidecarInjector.inject(once, enabled("shop"), CONFIG)))
        .isEqualTo(
            "pod shop/web-0: already injected (annotation sidecar.istio.io/status is present)");
  }

  @Test
  void namespaceSelection() {
    assertThat(notInjected(SidecarInjector.inject(pod().build(), ns("plain", Map.of()), CONFIG)))
        .isEqualTo(
            "pod plain/web-0: namespace plain is not selected (no label istio-injection=enabled or"
                + " istio.io/rev=default) and the pod has no label sidecar.istio.io/inject=true or"
                + " istio.io/rev=default");
    Pod optedIn =
        pod().editMetadata().addToLabels("sidecar.istio.io/inject", "true").endMetadata().build();
    injected(SidecarInjector.inject(optedIn, ns("plain", Map.of()), CONFIG));
    assertThat(
            notInjected(
                SidecarInjector.inject(
                    optedIn, ns("off", Map.of("istio-injection", "disabled")), CONFIG)))
        .isEqualTo("pod off/web-0: namespace off has label istio-injection=disabled");
  }

  @Test
  void revisionSelection() {
    InjectionConfig canary = CONFIG.toBuilder().revision("canary").build();
    Namespace canaryNs = ns("shop", Map.of("istio.io/rev", "canary"));

    Pod out = injected(SidecarInjector.inject(pod().build(), canaryNs, canary));
    assertThat(out.getMetadata().getAnnotations()).containsEntry("istio.io/rev", "canary");
    assertThat(out.getMetadata().getAnnotations().get("sidecar.istio.io/status"))
        .endsWith("\"revision\":\"canary\"}");
    assertThat(notInjected(SidecarInjector.inject(pod().build(), canaryNs, CONFIG)))
        .isEqualTo("pod shop/web-0: namespace shop has label istio.io/rev=canary, not default");
    assertThat(notInjected(SidecarInjector.inject(pod().build(), enabled("shop"), canary)))
        .isEqualTo(
            "pod shop/web-0: namespace shop has label istio-injection=enabled, which selects the"
                + " default revision, not canary");
    Pod podRev = pod().editMetadata().addToLabels("istio.io/rev", "canary").endMetadata().build();
    injected(SidecarInjector.inject(podRev, ns("plain", Map.of()), canary));
  }

  @Test
  void labelWinsOverAnnotation() {
    Pod labelOff =
        pod()
            .editMetadata()
            .addToLabels("sidecar.istio.io/inject", "false")
            .addToAnnotations("sidecar.istio.io/inject", "true")
            .endMetadata()
            .build();
    Pod annotationOff =
        pod()
            .editMetadata()
            .addToAnnotations("sidecar.istio.io/inject", "false")
            .endMetadata()
            .build();

    assertThat(notInjected(SidecarInjector.inject(labelOff, enabled("shop"), CONFIG)))
        .isEqualTo("pod shop/web-0: label sidecar.istio.io/inject=false");
    assertThat(notInjected(SidecarInjector.inject(annotationOff, enabled("shop"), CONFIG)))
        .isEqualTo("pod shop/web-0: annotation sidecar.istio.io/inject=false");
  }

  @Test
  void hostNetworkAndSystemNamespacesAreNeverInjected() {
    Pod host = pod().editSpec().withHostNetwork(true).endSpec().build();

    assertThat(notInjected(SidecarInjector.inject(host, enabled("shop"), CONFIG)))
        .isEqualTo("pod shop/web-0: spec.hostNetwork is true; iptables would change the node");
    assertThat(notInjected(SidecarInjector.inject(pod().build(), enabled("kube-system"), CONFIG)))
        .isEqualTo("pod kube-system/web-0: namespace kube-system is never injected");
    assertThat(notInjected(SidecarInjector.inject(pod().build(), enabled("istio-system"), CONFIG)))
        .isEqualTo(
            "pod istio-system/web-0: namespace istio-system is the control plane's and is never"
                + " injected");
  }

  @Test
  void neverAndAlwaysInjectSelectors() {
    LabelSelectorMatcher web = new LabelSelectorMatcher(Map.of("app", "web"), List.of());
    InjectionConfig never = CONFIG.toBuilder().neverInjectSelector(List.of(web)).build();
    InjectionConfig always =
        CONFIG.toBuilder().injectByDefault(false).alwaysInjectSelector(List.of(web)).build();
    InjectionConfig disabled = CONFIG.toBuilder().injectByDefault(false).build();
    Pod optedIn =
        pod().editMetadata().addToLabels("sidecar.istio.io/inject", "true").endMetadata().build();

    assertThat(notInjected(SidecarInjector.inject(pod().build(), enabled("shop"), never)))
        .isEqualTo("pod shop/web-0: labels match neverInjectSelector {app=web}");
    injected(SidecarInjector.inject(optedIn, enabled("shop"), never));
    injected(SidecarInjector.inject(pod().build(), enabled("shop"), always));
    assertThat(notInjected(SidecarInjector.inject(pod().build(), enabled("shop"), disabled)))
        .isEqualTo("pod shop/web-0: injection policy is disabled and the pod does not opt in");
  }

  @Test
  void classicLayoutWithHoldPutsTheProxyFirst() {
    InjectionConfig hold =
        CONFIG.toBuilder().nativeSidecars(false).holdApplicationUntilProxyStarts(true).build();

    Pod out = injected(SidecarInjector.inject(pod().build(), enabled("shop"), hold));

    assertThat(out.getSpec().getContainers())
        .extracting(Container::getName)
        .containsExactly("istio-proxy", "web");
    assertThat(out.getSpec().getInitContainers())
        .extracting(Container::getName)
        .containsExactly("istio-init");
    Container proxy = out.getSpec().getContainers().get(0);
    assertThat(proxy.getRestartPolicy()).isNull();
    assertThat(proxy.getLifecycle().getPostStart().getExec().getCommand())
        .containsExactly("pilot-agent", "wait");
    // Native sidecars already start first: hold changes nothing there.
    Pod nativeOut =
        injected(
            SidecarInjector.inject(
                pod().build(),
                enabled("shop"),
                CONFIG.toBuilder().holdApplicationUntilProxyStarts(true).build()));
    assertThat(
            container(nativeOut.getSpec().getInitContainers(), "istio-proxy")
                .getLifecycle()
                .getPreStop())
        .isNotNull();
  }

  @Test
  void replicaSetOwnerNamesTheDeployment() {
    Pod fromRs =
        pod()
            .editMetadata()
            .withName(null)
            .withGenerateName("web-7d9f8b-")
            .addToLabels("pod-template-hash", "7d9f8b")
            .addNewOwnerReference()
            .withApiVersion("apps/v1")
            .withKind("ReplicaSet")
            .withName("web-7d9f8b")
            .withController(true)
            .endOwnerReference()
            .endMetadata()
            .build();

    Pod out = injected(SidecarInjector.inject(fromRs, enabled("shop"), CONFIG));

    Container proxy = container(out.getSpec().getInitContainers(), "istio-proxy");
    assertThat(env(proxy, "ISTIO_META_OWNER"))
        .isEqualTo("kubernetes://apis/apps/v1/namespaces/shop/deployments/web");
    assertThat(env(proxy, "ISTIO_META_WORKLOAD_NAME")).isEqualTo("web");
  }

  @Test
  void resourceAnnotationsAreCanonicalQuantitiesAndReplaceTheValues() {
    Pod annotated =
        pod()
            .editMetadata()
            .addToAnnotations("sidecar.istio.io/proxyCPU", "0.5")
            .addToAnnotations("sidecar.istio.io/proxyMemoryLimit", "1024Mi")
            .endMetadata()
            .build();

    Pod out = injected(SidecarInjector.inject(annotated, enabled("shop"), CONFIG));

    var resources = container(out.getSpec().getInitContainers(), "istio-proxy").getResources();
    assertThat(resources.getRequests()).containsOnlyKeys("cpu");
    assertThat(resources.getRequests().get("cpu").toString()).isEqualTo("500m");
    assertThat(resources.getLimits()).containsOnlyKeys("memory");
    assertThat(resources.getLimits().get("memory").toString()).isEqualTo("1Gi");
  }

  @Test
  void tproxyRunsTheProxyAsRootWithNetAdmin() {
    Pod tproxy =
        pod()
            .editMetadata()
            .addToAnnotations("sidecar.istio.io/interceptionMode", "TPROXY")
            .endMetadata()
            .build();

    Pod out = injected(SidecarInjector.inject(tproxy, enabled("shop"), CONFIG));

    Container proxy = container(out.getSpec().getInitContainers(), "istio-proxy");
    assertThat(proxy.getSecurityContext().getRunAsUser()).isZero();
    assertThat(proxy.getSecurityContext().getCapabilities().getAdd()).containsExactly("NET_ADMIN");
    assertThat(env(proxy, "ISTIO_META_INTERCEPTION_MODE")).isEqualTo("TPROXY");
    assertThat(container(out.getSpec().getInitContainers(), "istio-init").getArgs())
        .containsSubsequence("-m", "TPROXY");
  }

  /**
   * Interception mode NONE (Istio's pods without iptables): no {@code istio-init}, and the proxy
   * tells the control plane, which then binds every listener itself.
   */
  @Test
  void interceptionNoneInjectsNoIptablesAndTellsTheControlPlane() {
    Pod none =
        pod()
            .editMetadata()
            .addToAnnotations("sidecar.istio.io/interceptionMode", "NONE")
            .endMetadata()
            .build();

    Pod out = injected(SidecarInjector.inject(none, enabled("shop"), CONFIG));

    assertThat(out.getSpec().getInitContainers())
        .extracting(Container::getName)
        .doesNotContain("istio-init");
    Container proxy = container(out.getSpec().getInitContainers(), "istio-proxy");
    assertThat(env(proxy, "ISTIO_META_INTERCEPTION_MODE")).isEqualTo("NONE");
  }

  @Test
  void usersIstioProxySettingsOverrideTheTemplate() {
    Pod custom =
        pod()
            .editSpec()
            .addNewContainer()
            .withName("istio-proxy")
            .withImage("example.com/custom-proxy:1")
            .endContainer()
            .endSpec()
            .build();

    Pod out = injected(SidecarInjector.inject(custom, enabled("shop"), CONFIG));

    assertThat(out.getSpec().getContainers()).extracting(Container::getName).containsExactly("web");
    Container proxy = container(out.getSpec().getInitContainers(), "istio-proxy");
    assertThat(proxy.getImage()).isEqualTo("example.com/custom-proxy:1");
    assertThat(proxy.getArgs()).startsWith("proxy", "sidecar");
  }
}
