package dev.meshctl.injector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The istio-sidecar-injector ConfigMap shape: data.values (JSON, as Helm renders it) and config.
 */
class InjectionConfigLoaderTest {
  static final String CONFIG_MAP =
      """
      apiVersion: v1
      kind: ConfigMap
      metadata:
        name: istio-sidecar-injector-canary
        namespace: istio-system
      data:
        values: |-
          {
            "global": {
              "hub": "docker.io/istio",
              "tag": "1.28.1",
              "istioNamespace": "istio-system",
              "meshID": "mesh1",
              "multiCluster": {"clusterName": "east"},
              "proxy": {
                "image": "proxyv2",
                "holdApplicationUntilProxyStarts": true,
                "excludeOutboundPorts": "5432",
                "resources": {
                  "requests": {"cpu": "100m", "memory": "128Mi"},
                  "limits": {"cpu": "2000m", "memory": "1024Mi"}
                }
              },
              "nativeSidecars": false
            },
            "revision": "canary",
            "sidecarInjectorWebhook": {"rewriteAppHTTPProbe": false}
          }
        config: |-
          defaultTemplates: [sidecar]
          policy: disabled
          alwaysInjectSelector:
            - matchLabels:
                mesh: "yes"
          neverInjectSelector:
            - matchExpressions:
              - key: openshift.io/build.name
                operator: Exists
          template: "{{ Template_Version_And_Istio_Version_Mismatched_Check_Installation }}"
      """;

  @Test
  void readsValuesAndConfig() {
    InjectionConfig c = InjectionConfigLoader.fromConfigMap(CONFIG_MAP, InjectionConfig.defaults());

    assertThat(c.proxyImage()).isEqualTo("docker.io/istio/proxyv2:1.28.1");
    assertThat(c.revision()).isEqualTo("canary");
    assertThat(c.discoveryAddress()).isEqualTo("istiod-canary.istio-system.svc:15012");
    assertThat(c.meshId()).isEqualTo("mesh1");
    assertThat(c.clusterName()).isEqualTo("east");
    assertThat(c.holdApplicationUntilProxyStarts()).isTrue();
    assertThat(c.nativeSidecars()).isFalse();
    assertThat(c.rewriteAppHttpProbe()).isFalse();
    assertThat(c.injectByDefault()).isFalse();
    assertThat(c.traffic().excludeOutboundPorts()).isEqualTo("5432");
    assertThat(c.proxyResources())
        .isEqualTo(new InjectionConfig.ProxyResources("100m", "128Mi", "2000m", "1024Mi"));
    assertThat(c.alwaysInjectSelector()).hasSize(1);
    assertThat(c.alwaysInjectSelector().get(0).matches(Map.of("mesh", "yes"))).isTrue();
    assertThat(c.neverInjectSelector().get(0).matches(Map.of("openshift.io/build.name", "b")))
        .isTrue();
  }

  @Test
  void loadedConfigDrivesTheTemplate() {
    InjectionConfig c = InjectionConfigLoader.fromConfigMap(CONFIG_MAP, InjectionConfig.defaults());
    Pod pod =
        new PodBuilder()
            .withNewMetadata()
            .withName("p")
            .withNamespace("shop")
            .addToLabels("mesh", "yes")
            .endMetadata()
            .withNewSpec()
            .addNewContainer()
            .withName("app")
            .endContainer()
            .endSpec()
            .build();

    InjectionResult r = SidecarInjector.injectSelected(pod, c);

    assertThat(r).isInstanceOf(InjectionResult.Injected.class);
    Container proxy = ((InjectionResult.Injected) r).pod().getSpec().getContainers().get(0);
    assertThat(proxy.getName()).isEqualTo("istio-proxy");
    assertThat(proxy.getImage()).isEqualTo("docker.io/istio/proxyv2:1.28.1");
    // Helm's 2000m/1024Mi come out as Kubernetes prints them.
    assertThat(proxy.getResources().getLimits().get("cpu").toString()).isEqualTo("2");
    assertThat(proxy.getResources().getLimits().get("memory").toString()).isEqualTo("1Gi");
  }

  @Test
  void defaultsAreIstiosChartValuesWithAReleaseImage() {
    InjectionConfig d = InjectionConfig.defaults();

    assertThat(d.proxyImage()).isEqualTo("docker.io/istio/proxyv2:" + InjectionConfig.DEFAULT_TAG);
    assertThat(d.discoveryAddress()).isEqualTo("istiod.istio-system.svc:15012");
    assertThat(d.nativeSidecars()).isTrue();
    assertThat(d.injectByDefault()).isTrue();
  }

  @Test
  void malformedInputNamesTheField() {
    assertThatThrownBy(
            () -> InjectionConfigLoader.fromConfig("policy: sometimes", InjectionConfig.defaults()))
        .hasMessage("config.policy: \"sometimes\" is not enabled or disabled");
    assertThatThrownBy(
            () ->
                InjectionConfigLoader.fromConfig(
                    "neverInjectSelector: {app: x}", InjectionConfig.defaults()))
        .hasMessage("config.neverInjectSelector: want a list of label selectors");
    assertThatThrownBy(() -> InjectionConfigLoader.fromValues("[1, 2]", InjectionConfig.defaults()))
        .hasMessage("values: want a mapping, got ARRAY");
  }
}
