package dev.meshctl.xds.model.decode;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshctl.xds.model.EndpointSlice;
import dev.meshctl.xds.model.NamespacedName;
import dev.meshctl.xds.model.Pod;
import dev.meshctl.xds.model.Protocol;
import dev.meshctl.xds.model.RevisionTag;
import dev.meshctl.xds.model.Service;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class KubeDecoderTest {

  private static List<Decoded> decode(String yaml) {
    List<YamlDocuments.Document> docs = YamlDocuments.parse(yaml);
    assertThat(docs).hasSize(1);
    assertThat(docs.get(0).error()).isNull();
    return KubeDecoder.decode(docs.get(0).node());
  }

  private static Object single(String yaml) {
    List<Decoded> d = decode(yaml);
    assertThat(d).hasSize(1);
    assertThat(d.get(0)).isInstanceOf(Decoded.Ok.class);
    return ((Decoded.Ok) d.get(0)).object();
  }

  @Test
  void decodesServiceWithNamedAndNumericTargetPorts() {
    Service s =
        (Service)
            single(
                """
                apiVersion: v1
                kind: Service
                metadata: {name: reviews, namespace: bookinfo, labels: {app: reviews}}
                spec:
                  clusterIP: 10.96.0.5
                  selector: {app: reviews}
                  ports:
                  - {name: http, port: 9080}
                  - {name: grpc-api, port: 7070, targetPort: grpc, appProtocol: grpc}
                """);
    assertThat(s.id()).isEqualTo(NamespacedName.of("bookinfo", "reviews"));
    assertThat(s.vip()).isEqualTo("10.96.0.5");
    assertThat(s.selector()).containsEntry("app", "reviews");
    assertThat(s.ports().get(0).targetPort()).isEqualTo(9080);
    assertThat(s.ports().get(0).protocol()).isEqualTo(Protocol.HTTP);
    assertThat(s.ports().get(1).targetPortName()).isEqualTo("grpc");
    assertThat(s.ports().get(1).protocol()).isEqualTo(Protocol.GRPC);
    assertThat(s.hostname("cluster.local")).isEqualTo("reviews.bookinfo.svc.cluster.local");
  }

  @Test
  void decodesEndpointSliceConditionsWithKubernetesDefaults() {
    EndpointSlice e =
        (EndpointSlice)
            single(
                """
                apiVersion: discovery.k8s.io/v1
                kind: EndpointSlice
                metadata:
                  name: reviews-abc
                  labels: {kubernetes.io/service-name: reviews}
                addressType: IPv4
                ports: [{name: http, port: 9080}]
                endpoints:
                - addresses: [10.0.0.1]
                  zone: us-east-1a
                  targetRef: {kind: Pod, name: reviews-v1-1}
                - addresses: [10.0.0.2]
                  conditions: {ready: false, terminating: true}
                """);
    assertThat(e.serviceName()).isEqualTo("reviews");
    assertThat(e.id().namespace()).isEqualTo("default");
    assertThat(e.endpoints().get(0).conditions()).isEqualTo(EndpointSlice.Conditions.READY);
    assertThat(e.endpoints().get(0).zone()).isEqualTo("us-east-1a");
    assertThat(e.endpoints().get(0).targetRef().name()).isEqualTo("reviews-v1-1");
    assertThat(e.endpoints().get(1).conditions())
        .isEqualTo(new EndpointSlice.Conditions(false, false, true));
  }

  @Test
  void decodesPodIdentityAndPorts() {
    Pod p =
        (Pod)
            single(
                """
                apiVersion: v1
                kind: Pod
                metadata: {name: reviews-v1-1, namespace: default, labels: {app: reviews, version: v1}}
                spec:
                  serviceAccountName: bookinfo-reviews
                  containers:
                  - name: reviews
                    ports: [{name: http, containerPort: 9080}]
                status: {podIP: 10.0.0.1, podIPs: [{ip: 10.0.0.1}, {ip: "fd00::1"}]}
                """);
    assertThat(p.serviceAccount()).isEqualTo("bookinfo-reviews");
    assertThat(p.podIps()).containsExactly("10.0.0.1", "fd00::1");
    assertThat(p.containerPorts()).containsExactly(new Pod.ContainerPort("http", 9080, "TCP"));
  }

  @Test
  void serviceExportToAnnotationLimitsVisibility() {
    Service s =
        (Service)
            single(
                """
                apiVersion: v1
                kind: Service
                metadata:
                  name: internal
                  namespace: shop
                  annotations: {networking.istio.io/exportTo: ". , istio-system"}
                spec:
                  ports: [{port: 80}]
                """);
    assertThat(s.attributes().exportTo()).containsExactly(".", "istio-system");
    assertThat(s.attributes().fromServiceEntry()).isFalse();
  }

  @Test
  void revisionTagWebhookConfigurationsAreDecodedOthersSkipped() {
    RevisionTag tag =
        (RevisionTag)
            single(
                """
                apiVersion: admissionregistration.k8s.io/v1
                kind: MutatingWebhookConfiguration
                metadata:
                  name: istio-revision-tag-prod
                  labels: {istio.io/tag: prod, istio.io/rev: 1-24-0}
                webhooks: []
                """);
    assertThat(tag).isEqualTo(new RevisionTag("istio-revision-tag-prod", "prod", "1-24-0"));
    assertThat(
            decode(
                "apiVersion: admissionregistration.k8s.io/v1\nkind: MutatingWebhookConfiguration\n"
                    + "metadata: {name: istio-sidecar-injector}\n"))
        .singleElement()
        .isInstanceOf(Decoded.Skipped.class);
    assertThat(
            decode(
                "apiVersion: admissionregistration.k8s.io/v1\nkind: MutatingWebhookConfiguration\n"
                    + "metadata: {name: t, labels: {istio.io/tag: prod}}\n"))
        .singleElement()
        .isEqualTo(
            new Decoded.Invalid(
                "MutatingWebhookConfiguration /t",
                List.of(
                    "metadata.labels.istio.io/rev: is required: the revision the tag points at")));
  }

  @Test
  void podWithoutServiceAccountUsesDefault() {
    Pod p = (Pod) single("apiVersion: v1\nkind: Pod\nmetadata: {name: a}\n");
    assertThat(p.serviceAccount()).isEqualTo("default");
  }

  static Stream<Arguments> invalidObjects() {
    return Stream.of(
        Arguments.of(
            "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {ports: [{port: 70000}]}",
            "Service default/s: spec.ports[0].port: must be an integer between 1 and 65535, got 70000"),
        Arguments.of(
            "apiVersion: v1\nkind: Service\nmetadata: {name: s, annotations:"
                + " {networking.istio.io/exportTo: \"Shop\"}}\nspec: {ports: [{port: 80}]}",
            "Service default/s: metadata.annotations.networking.istio.io/exportTo: must list"
                + " \".\", \"*\", \"~\" or namespace names, got \"Shop\""),
        Arguments.of(
            "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {ports: [{port: abc}]}",
            "Service default/s: spec.ports[0].port: must be an integer between 1 and 65535, got \"abc\""),
        Arguments.of(
            "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {ports: [{name: a, port: 1}, {port: 2}]}",
            "Service default/s: spec.ports[1].name: is required when a Service has more than one port"),
        Arguments.of(
            "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {ports: [{port: 80, protocol: ICMP}]}",
            "Service default/s: spec.ports[0].protocol: must be TCP, UDP or SCTP, got \"ICMP\""),
        Arguments.of(
            "apiVersion: v1\nkind: Service\nmetadata: {namespace: x}\nspec: {}",
            "Service x/: metadata.name: is required"),
        Arguments.of(
            "apiVersion: v1beta1\nkind: Service\nmetadata: {name: s}",
            "Service default/s: apiVersion: 'v1beta1' is not supported for Service"),
        Arguments.of(
            "apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata: {name: e}\nendpoints: [{addresses: []}]",
            "EndpointSlice default/e: addressType: is required"),
        Arguments.of(
            "apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata: {name: e}\naddressType: IPv4\nendpoints: [{addresses: [1.2.3.4], conditions: {ready: yes-please}}]",
            "EndpointSlice default/e: endpoints[0].conditions.ready: must be true or false, got \"yes-please\""),
        Arguments.of(
            "apiVersion: v1\nkind: Pod\nmetadata: {name: p, labels: {a: {b: c}}}",
            "Pod default/p: metadata.labels.a: must be a string, got a map"),
        Arguments.of("metadata: {name: p}", "object default/p: kind: is required"));
  }

  @ParameterizedTest
  @MethodSource("invalidObjects")
  void reportsInvalidObjectsWithResourceAndFieldPath(String yaml, String message) {
    List<Decoded> d = decode(yaml);
    assertThat(d).hasSize(1);
    assertThat(d.get(0)).isInstanceOf(Decoded.Invalid.class);
    assertThat(((Decoded.Invalid) d.get(0)).messages()).contains(message);
  }

  @Test
  void unusedKindsAreSkippedNotErrors() {
    List<Decoded> d = decode("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\n");
    assertThat(d)
        .containsExactly(
            new Decoded.Skipped(
                "Deployment default/web", "kind Deployment is not used by the mesh"));
  }

  @Test
  void listItemsAreDecodedOneByOne() {
    List<Decoded> d =
        decode(
            """
            apiVersion: v1
            kind: List
            items:
            - {apiVersion: v1, kind: Pod, metadata: {name: a}}
            - {apiVersion: v1, kind: Service, metadata: {name: b}, spec: {ports: [{port: 0}]}}
            """);
    assertThat(d).hasSize(2);
    assertThat(d.get(0)).isInstanceOf(Decoded.Ok.class);
    assertThat(d.get(1)).isInstanceOf(Decoded.Invalid.class);
  }

  @Test
  void yamlSyntaxErrorInOneDocumentKeepsTheOthers() {
    List<YamlDocuments.Document> docs =
        YamlDocuments.parse(
            """
            apiVersion: v1
            kind: Pod
            metadata: {name: a}
            ---
            kind: [unclosed
            --- # comment after marker
            apiVersion: v1
            kind: Pod
            metadata: {name: c}
            ---
            # only a comment
            """);
    assertThat(docs).hasSize(3);
    assertThat(docs.get(0).index()).isZero();
    assertThat(docs.get(0).ok()).isTrue();
    assertThat(docs.get(1).index()).isEqualTo(1);
    assertThat(docs.get(1).error()).startsWith("invalid YAML: ");
    assertThat(docs.get(2).index()).isEqualTo(2);
    assertThat(docs.get(2).node().at("/metadata/name").asText()).isEqualTo("c");
  }

  @Test
  void decodesNamespaceAndNodeLabelsAsClusterScopedObjects() {
    dev.meshctl.xds.model.Namespace ns =
        (dev.meshctl.xds.model.Namespace)
            single(
                """
                apiVersion: v1
                kind: Namespace
                metadata: {name: bookinfo, labels: {env: prod}}
                """);
    assertThat(ns.key().toString()).isEqualTo("Namespace /bookinfo");
    assertThat(ns.labels()).containsExactly(java.util.Map.entry("env", "prod"));
    dev.meshctl.xds.model.Node node =
        (dev.meshctl.xds.model.Node)
            single(
                """
                apiVersion: v1
                kind: Node
                metadata:
                  name: node-1
                  labels: {topology.kubernetes.io/region: r1, topology.kubernetes.io/zone: z1}
                """);
    assertThat(node.locality()).isEqualTo(new dev.meshctl.xds.model.Locality("r1", "z1", ""));
    List<Decoded> bad =
        decode(
            """
            apiVersion: v1
            kind: Node
            metadata: {name: node-2, labels: {zone: [a]}}
            """);
    assertThat(((Decoded.Invalid) bad.get(0)).messages())
        .containsExactly("Node /node-2: metadata.labels.zone: must be a string, got a list");
  }
}
