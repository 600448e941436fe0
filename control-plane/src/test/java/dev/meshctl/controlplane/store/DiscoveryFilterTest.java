package dev.meshctl.controlplane.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshctl.xds.model.ConfigKey;
import dev.meshctl.xds.model.ConfigObject;
import dev.meshctl.xds.model.IstioObject;
import dev.meshctl.xds.model.LabelSelector;
import dev.meshctl.xds.model.MeshConfig;
import dev.meshctl.xds.model.Namespace;
import dev.meshctl.xds.model.NamespacedName;
import dev.meshctl.xds.model.Node;
import dev.meshctl.xds.model.RevisionTag;
import dev.meshctl.xds.model.Service;
import dev.meshctl.xds.model.ServicePort;
import dev.meshctl.xds.model.decode.Decoded;
import dev.meshctl.xds.model.decode.KubeDecoder;
import dev.meshctl.xds.model.decode.YamlDocuments;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DiscoveryFilterTest {
  private static Service service(String ns) {
    return new Service(
        NamespacedName.of(ns, "svc"), Map.of(), Map.of(), "", List.of(ServicePort.of("http", 80)));
  }

  private static MeshConfig selecting(LabelSelector... selectors) {
    MeshConfig d = MeshConfig.DEFAULT;
    return new MeshConfig(
        d.trustDomain(),
        d.domainSuffix(),
        d.rootNamespace(),
        d.outboundTrafficPolicy(),
        Duration.ofSeconds(10),
        true,
        List.of(selectors),
        d.ingressControllerMode(),
        d.ingressClass(),
        d.discoveryAddress());
  }

  private static IstioObject virtualService(String ns, String revisionLabel) {
    String labels = revisionLabel == null ? "{}" : "{istio.io/rev: " + revisionLabel + "}";
    String yaml =
        """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: vs, namespace: %s, labels: %s}
        spec:
          hosts: [svc]
          http:
          - route:
            - destination: {host: svc}
        """
            .formatted(ns, labels);
    Decoded d = KubeDecoder.decode(YamlDocuments.parse(yaml).get(0).node()).get(0);
    return (IstioObject) ((Decoded.Ok) d).object();
  }

  private static List<String> keys(List<ConfigObject> objects) {
    return objects.stream().map(o -> o.key().toString()).toList();
  }

  /**
   * A change only in namespaces the selectors exclude is out of scope (no push); a change touching
   * a selected or unknown namespace, or a Namespace, Node or mesh config, is not.
   */
  @Test
  void changesOnlyInExcludedNamespacesAreOutOfScope() {
    List<ConfigObject> store =
        List.of(
            selecting(LabelSelector.ofLabels(Map.of("env", "prod"))),
            new Namespace("prod", Map.of("env", "prod")),
            new Namespace("dev", Map.of("env", "dev")));
    java.util.function.Function<ConfigKey, java.util.Optional<ConfigObject>> lookup =
        k -> store.stream().filter(o -> o.key().equals(k)).findFirst();
    ConfigKey devService = service("dev").key();
    assertThat(DiscoveryFilter.outOfScope(List.of(devService), lookup)).isTrue();
    assertThat(DiscoveryFilter.outOfScope(List.of(virtualService("dev", null).key()), lookup))
        .isTrue();
    assertThat(DiscoveryFilter.outOfScope(List.of(devService, service("prod").key()), lookup))
        .as("one key in a selected namespace")
        .isFalse();
    assertThat(DiscoveryFilter.outOfScope(List.of(service("unknown").key()), lookup))
        .as("a namespace not seen yet is in scope")
        .isFalse();
    assertThat(
            DiscoveryFilter.outOfScope(
                List.of(devService, new Namespace("dev", Map.of()).key()), lookup))
        .as("a Namespace change re-scopes")
        .isFalse();
    assertThat(DiscoveryFilter.outOfScope(List.of(devService), k -> java.util.Optional.empty()))
        .as("no selectors: everything is in scope")
        .isFalse();
  }

  /** Config labelled with a tag is ours exactly when a tag of that name points at our revision. */
  @Test
  void aRevisionTagPointingAtOurRevisionAdmitsItsConfig() {
    IstioObject prod = virtualService("a", "prod");
    IstioObject canary = virtualService("b", "canary");
    IstioObject other = virtualService("c", "other");
    List<ConfigObject> untagged = List.of(prod, canary, other);
    assertThat(keys(DiscoveryFilter.visible(untagged, "canary")))
        .containsExactly(canary.key().toString());
    RevisionTag tag = new RevisionTag("istio-revision-tag-prod", "prod", "canary");
    List<ConfigObject> tagged = List.of(prod, canary, other, tag);
    assertThat(keys(DiscoveryFilter.visible(tagged, "canary")))
        .containsExactly(prod.key().toString(), canary.key().toString(), tag.key().toString());
    RevisionTag elsewhere = new RevisionTag("istio-revision-tag-prod", "prod", "stable");
    assertThat(keys(DiscoveryFilter.visible(List.of(prod, elsewhere), "canary")))
        .as("a tag pointing at another revision")
        .containsExactly(elsewhere.key().toString());
  }

  @Test
  void withoutSelectorsOrRevisionEverythingIsVisible() {
    List<ConfigObject> all =
        List.of(service("a"), service("b"), new Namespace("a", Map.of()), virtualService("a", "x"));
    assertThat(DiscoveryFilter.visible(all, "")).isEqualTo(all);
  }

  @Test
  void selectorsKeepNamespacesThatMatchAnyAndUnknownNamespaces() {
    MeshConfig mesh =
        selecting(
            LabelSelector.ofLabels(Map.of("env", "prod")),
            new LabelSelector(
                Map.of(),
                List.of(
                    new LabelSelector.Requirement(
                        "team", LabelSelector.Operator.In, List.of("payments")))));
    List<ConfigObject> all =
        List.of(
            service("prod"),
            service("payments"),
            service("dev"),
            service("unseen"),
            virtualService("dev", null),
            new Namespace("prod", Map.of("env", "prod")),
            new Namespace("payments", Map.of("team", "payments")),
            new Namespace("dev", Map.of("env", "dev")),
            new Node("node-1", Map.of()),
            mesh);

    assertThat(keys(DiscoveryFilter.visible(all, "")))
        .containsExactly(
            "Service prod/svc",
            "Service payments/svc",
            "Service unseen/svc",
            "Namespace /prod",
            "Namespace /payments",
            "Namespace /dev",
            "Node /node-1",
            "MeshConfig /mesh");
  }

  @Test
  void aRevisionKeepsIstioConfigOfItsRevisionAndUnlabelledConfig() {
    List<ConfigObject> all =
        List.of(
            virtualService("a", null),
            virtualService("b", "canary"),
            virtualService("c", "stable"),
            service("d"));
    assertThat(keys(DiscoveryFilter.visible(all, "canary")))
        .containsExactly("VirtualService a/vs", "VirtualService b/vs", "Service d/svc");
    // Without a revision (Istio's LabelsInRevision with rev ""), labelled config is used too.
    assertThat(DiscoveryFilter.visible(all, "")).hasSize(4);
  }
}
