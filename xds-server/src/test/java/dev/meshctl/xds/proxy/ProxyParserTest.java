package dev.meshctl.xds.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.envoyproxy.envoy.config.core.v3.Node;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProxyParserTest {

  private static Value str(String s) {
    return Value.newBuilder().setStringValue(s).build();
  }

  private static Node node(String id, Map<String, Value> md) {
    return Node.newBuilder().setId(id).setMetadata(Struct.newBuilder().putAllFields(md)).build();
  }

  @Test
  void parsesIstioSidecarNodeWithMetadata() throws Exception {
    Value labels =
        Value.newBuilder()
            .setStructValue(
                Struct.newBuilder()
                    .putFields("app", str("reviews"))
                    .putFields("version", str("v1")))
            .build();
    Proxy p =
        ProxyParser.parse(
            node(
                "sidecar~10.1.2.3~reviews-v1-x.default~default.svc.cluster.local",
                Map.of(
                    "LABELS", labels,
                    "SERVICE_ACCOUNT", str("bookinfo-reviews"),
                    "INSTANCE_IPS", str("10.1.2.3,fd00::3"),
                    "CLUSTER_ID", str("Kubernetes"),
                    "ISTIO_VERSION", str("1.30.0"))));
    assertThat(p.type()).isEqualTo(Proxy.ProxyType.SIDECAR);
    assertThat(p.ipAddresses()).containsExactly("10.1.2.3", "fd00::3");
    assertThat(p.namespace()).isEqualTo("default");
    assertThat(p.podName()).isEqualTo("reviews-v1-x");
    assertThat(p.labels()).containsEntry("app", "reviews").containsEntry("version", "v1");
    assertThat(p.serviceAccount()).isEqualTo("bookinfo-reviews");
    assertThat(p.generator()).isEqualTo(Proxy.Generator.ENVOY);
    assertThat(p.clusterId()).isEqualTo("Kubernetes");
  }

  @Test
  void metadataNamespaceWinsAndGrpcGeneratorIsRecognised() throws Exception {
    Proxy p =
        ProxyParser.parse(
            node(
                "sidecar~127.0.0.1~client~default.svc.cluster.local",
                Map.of("NAMESPACE", str("team-a"), "GENERATOR", str("grpc"))));
    assertThat(p.namespace()).isEqualTo("team-a");
    assertThat(p.generator()).isEqualTo(Proxy.Generator.GRPC);
    assertThat(p.ipAddresses()).containsExactly("127.0.0.1");
  }

  @Test
  void namespaceFallsBackToTheDomain() throws Exception {
    Proxy p =
        ProxyParser.parse(node("router~10.0.0.9~gw~istio-system.svc.cluster.local", Map.of()));
    assertThat(p.type()).isEqualTo(Proxy.ProxyType.ROUTER);
    assertThat(p.namespace()).isEqualTo("istio-system");
  }

  @Test
  void rejectsMalformedNodesWithTheReason() {
    assertThatThrownBy(() -> ProxyParser.parse(node("sidecar~10.0.0.1~x", Map.of())))
        .isInstanceOf(InvalidNodeException.class)
        .hasMessage(
            "node id 'sidecar~10.0.0.1~x' must have 4 parts TYPE~IP~ID~DOMAIN separated by '~', got 3");
    assertThatThrownBy(() -> ProxyParser.parse(node("ztunnel~1.1.1.1~a.b~b.svc", Map.of())))
        .hasMessage(
            "node id 'ztunnel~1.1.1.1~a.b~b.svc': type 'ztunnel' is not supported, expected 'sidecar' or 'router'");
    assertThatThrownBy(
            () ->
                ProxyParser.parse(
                    node("sidecar~1.1.1.1~a.b~b.svc", Map.of("GENERATOR", str("ambient")))))
        .hasMessage(
            "node 'sidecar~1.1.1.1~a.b~b.svc': metadata GENERATOR 'ambient' is not supported, expected 'grpc' or unset");
    assertThatThrownBy(() -> ProxyParser.parse(node("sidecar~1.1.1.1~~d", Map.of())))
        .hasMessage("node id 'sidecar~1.1.1.1~~d': the ID part (POD.NS) is empty");
  }
}
