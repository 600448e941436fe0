package dev.meshctl.injector;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which documents kube-inject touches, and its errors. */
class KubeInjectTest {
  static final String POD_SPEC =
      """
          spec:
            containers:
            - name: app
              image: example.com/app:1
      """;

  static List<JsonNode> run(String yaml) {
    return Trees.docs(KubeInject.inject(yaml, Trees.ISTIO_TEST_VALUES).yaml());
  }

  static boolean hasProxy(JsonNode podSpec) {
    return podSpec.findValuesAsText("name").contains("istio-proxy");
  }

  @Test
  void everyWorkloadKindIsInjectedAndOtherKindsPassThrough() {
    String yaml =
        """
        apiVersion: batch/v1
        kind: Job
        metadata: {name: once}
        spec:
          template:
        """
            + POD_SPEC.indent(2)
            + """
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: svc}
        spec:
          ports:
          - port: 80
        ---
        apiVersion: v1
        kind: List
        items:
        - apiVersion: apps/v1
          kind: ReplicaSet
          metadata: {name: rs}
          spec:
            template:
        """
            + POD_SPEC.indent(4)
            + """
        - apiVersion: v1
          kind: Pod
          metadata: {name: bare}
        """
            + POD_SPEC.replace("    spec:", "  spec:").indent(0);

    List<JsonNode> out = run(yaml);

    assertThat(out).hasSize(3);
    assertThat(hasProxy(out.get(0).at("/spec/template/spec"))).isTrue();
    assertThat(out.get(0).at("/spec/template/spec/initContainers/1/env").toString())
        .contains("kubernetes://apis/batch/v1/namespaces/default/jobs/once");
    assertThat(out.get(1)).isEqualTo(Trees.docs(yaml).get(1));
    assertThat(hasProxy(out.get(2).at("/items/0/spec/template/spec"))).isTrue();
    assertThat(hasProxy(out.get(2).at("/items/1/spec"))).isTrue();
  }

  @Test
  void hostNetworkWorkloadIsSkippedWithAWarning() {
    String yaml =
        """
        apiVersion: apps/v1
        kind: DaemonSet
        metadata: {name: node-agent, namespace: ops}
        spec:
          template:
            spec:
              hostNetwork: true
              containers:
              - name: agent
        """;

    KubeInject.Result result = KubeInject.inject(yaml, Trees.ISTIO_TEST_VALUES);

    assertThat(Trees.docs(result.yaml())).isEqualTo(Trees.docs(yaml));
    assertThat(result.warnings())
        .containsExactly(
            "===> Skipping injection because DaemonSet \"ops/node-agent\": spec.hostNetwork is"
                + " true; iptables would change the node");
  }

  @Test
  void errorsNameTheDocumentAndField() {
    assertThatThrownBy(
            () ->
                KubeInject.inject(
                    "kind: ConfigMap\n---\nkind: Deployment\nmetadata: {name: d}\nspec: {}\n",
                    Trees.ISTIO_TEST_VALUES))
        .hasMessage("document 2 (Deployment \"d\"): spec.template.spec is required");
    assertThatThrownBy(
            () ->
                KubeInject.inject(
                    "kind: Pod\nmetadata: {name: p}\nspec:\n  containers: 7\n",
                    Trees.ISTIO_TEST_VALUES))
        .hasMessageStartingWith("document 1 (Pod \"p\"): pod template is malformed: ");
    assertThatThrownBy(() -> KubeInject.inject("a: [1, 2\n", Trees.ISTIO_TEST_VALUES))
        .hasMessageStartingWith("document 1: not valid YAML: ");
  }
}
