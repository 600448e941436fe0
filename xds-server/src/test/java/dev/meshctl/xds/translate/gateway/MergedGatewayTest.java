package dev.meshctl.xds.translate.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshctl.xds.model.MeshConfig;
import dev.meshctl.xds.model.MeshSnapshot;
import dev.meshctl.xds.model.PilotFeatures;
import dev.meshctl.xds.testing.MeshFixture;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Selection, port mapping, conflicts and SDS names of merged gateways. */
class MergedGatewayTest {
  private static final String PROXY =
      """
      id: router~10.0.0.9~gw-1.istio-system~istio-system.svc.cluster.local
      metadata:
        NAMESPACE: istio-system
        LABELS: {istio: ingressgateway}
      """;

  private static String gateway(String name, String ns, int port, String protocol, String tls) {
    return """
        apiVersion: networking.istio.io/v1
        kind: Gateway
        metadata: {name: %s, namespace: %s}
        spec:
          selector: {istio: ingressgateway}
          servers:
          - port: {number: %d, name: p%d, protocol: %s}
            hosts: ["a.example.com"]
        %s
        ---
        """
        .formatted(name, ns, port, port, protocol, tls);
  }

  private static MergedGateway merge(String yaml) {
    List<dev.meshctl.xds.model.ConfigObject> objects =
        new ArrayList<>(MeshFixture.objects(yaml, "test"));
    return MergedGateway.of(
        MeshSnapshot.build(MeshConfig.DEFAULT, objects), MeshFixture.proxy(PROXY));
  }

  @Test
  void conflictingProtocolsOnOnePortAreReportedInOrderNotMerged() {
    MergedGateway mg =
        merge(gateway("a", "default", 9000, "HTTP", "") + gateway("b", "default", 9000, "TCP", ""));
    assertThat(mg.listeners().get("0.0.0.0_9000").servers()).hasSize(1);
    assertThat(mg.conflicts())
        .containsExactly(
            "gateway default/b server p9000 (port 9000, TCP): protocol TCP conflicts on listener"
                + " 0.0.0.0_9000 (gateway default/a server p9000 (port 9000, HTTP) is there"
                + " first); server skipped");
  }

  @Test
  void gatewayInAnyNamespaceSelectsButOtherLabelsDoNot() {
    String other =
        gateway("x", "other", 7000, "HTTP", "").replace("istio: ingressgateway", "istio: egress");
    MergedGateway mg = merge(gateway("a", "apps", 8000, "HTTP", "") + other);
    assertThat(mg.listeners()).containsOnlyKeys("0.0.0.0_8000");
    assertThat(mg.byRouteName()).containsOnlyKeys("http.8000");
  }

  /**
   * {@code PILOT_SCOPE_GATEWAY_TO_NAMESPACE}: by default a Gateway of any namespace selects the
   * istio-system gateway pod; scoped, only the Gateways of the pod's own namespace do.
   */
  @Test
  void scopingGatewaysToTheirNamespaceDropsOtherNamespacesGateways() {
    String yaml =
        gateway("apps-gw", "apps", 8000, "HTTP", "")
            + gateway("own-gw", "istio-system", 9000, "HTTP", "");
    MeshSnapshot snapshot =
        MeshSnapshot.build(MeshConfig.DEFAULT, new ArrayList<>(MeshFixture.objects(yaml, "test")));
    assertThat(MergedGateway.of(snapshot, MeshFixture.proxy(PROXY)).listeners())
        .containsOnlyKeys("0.0.0.0_8000", "0.0.0.0_9000");
    MeshSnapshot scoped = snapshot.withFeatures(new PilotFeatures(true));
    assertThat(MergedGateway.of(scoped, MeshFixture.proxy(PROXY)).listeners())
        .containsOnlyKeys("0.0.0.0_9000");
  }

  @Test
  void mutualCredentialReferencesSecretAndCaByKubernetesNames() {
    String tls =
        """
            tls: {mode: MUTUAL, credentialName: cred}
        """;
    MergedGateway mg = merge(gateway("a", "istio-system", 443, "HTTPS", tls));
    GatewayServer s = mg.listeners().get("0.0.0.0_443").servers().get(0);
    assertThat(s.routeName()).isEqualTo("https.443.p443.a.istio-system");
    assertThat(GatewayTls.secretNames(s))
        .containsExactly("kubernetes://cred", "kubernetes://cred-cacert");
    assertThat(GatewayTls.context(s).orElseThrow().getRequireClientCertificate().getValue())
        .isTrue();
  }

  @Test
  void istioMutualUsesTheWorkloadCertificate() {
    String tls =
        """
            tls: {mode: ISTIO_MUTUAL}
        """;
    GatewayServer s =
        merge(gateway("a", "istio-system", 443, "HTTPS", tls))
            .listeners()
            .get("0.0.0.0_443")
            .servers()
            .get(0);
    assertThat(GatewayTls.secretNames(s)).containsExactly("default", "ROOTCA");
  }

  @Test
  void duplicateSniHostsOnOnePortAreRejected() {
    String tls =
        """
            tls: {mode: SIMPLE, credentialName: cred}
        """;
    MergedGateway mg =
        merge(
            gateway("a", "istio-system", 443, "HTTPS", tls)
                + gateway("b", "istio-system", 443, "HTTPS", tls));
    assertThat(mg.listeners().get("0.0.0.0_443").servers()).hasSize(1);
    assertThat(mg.conflicts()).hasSize(1);
    assertThat(mg.conflicts().get(0))
        .startsWith("gateway istio-system/b server p443 (port 443, HTTPS): hosts [a.example.com]");
  }
}
