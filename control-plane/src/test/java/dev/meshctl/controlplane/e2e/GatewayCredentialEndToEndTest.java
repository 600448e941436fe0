package dev.meshctl.controlplane.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.Any;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import dev.meshctl.controlplane.ControlPlane;
import dev.meshctl.xds.testing.AdsTestClient;
import dev.meshctl.xds.translate.XdsType;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SdsSecretConfig;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.Channel;
import io.grpc.ClientInterceptors;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.TlsChannelCredentials;
import io.grpc.stub.MetadataUtils;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 7's credential proof over real ADS: a Gateway in istio-system terminates TLS with {@code
 * credentialName: bookinfo-cred}. An ingress gateway in istio-system reads the SDS name from the
 * DownstreamTlsContext of the listener it is served, asks for it over SDS on the same stream, and
 * receives exactly the istio-system Secret's chain and key. A gateway in namespace shop, selected
 * by the same Gateway, receives shop's own same-named Secret for the same name; one in payments (no
 * such Secret) receives nothing; and asking for {@code kubernetes://shop/bookinfo-cred} from
 * istio-system receives nothing. Callers are authenticated on the secure port by token.
 */
class GatewayCredentialEndToEndTest {
  private static final String ISTIOD_HOST = "istiod.istio-system.svc";
  private static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
  private static final String SYSTEM_CHAIN =
      "-----BEGIN CERTIFICATE-----\nISTIO-SYSTEM-CHAIN\n-----END CERTIFICATE-----\n";
  private static final String SYSTEM_KEY =
      "-----BEGIN PRIVATE KEY-----\nISTIO-SYSTEM-KEY\n-----END PRIVATE KEY-----\n";
  private static final String SHOP_CHAIN = "SHOP-CHAIN";
  private static final String SHOP_KEY = "SHOP-KEY";

  @TempDir Path caDir;
  @TempDir Path config;
  @TempDir Path work;

  private ControlPlane cp;
  private final List<ManagedChannel> channels = new ArrayList<>();

  @BeforeEach
  void setUp() throws Exception {
    Files.writeString(
        config.resolve("gateway.yaml"),
        """
        apiVersion: networking.istio.io/v1
        kind: Gateway
        metadata:
          name: bookinfo-gateway
          namespace: istio-system
        spec:
          selector:
            istio: ingressgateway
          servers:
          - port:
              number: 443
              name: https
              protocol: HTTPS
            hosts:
            - bookinfo.example.com
            tls:
              mode: SIMPLE
              credentialName: bookinfo-cred
        """);
    Files.writeString(
        config.resolve("secrets.yaml"),
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: bookinfo-cred\n"
            + "  namespace: istio-system\ntype: kubernetes.io/tls\ndata:\n  tls.crt: "
            + SecureFileMesh.b64(SYSTEM_CHAIN)
            + "\n  tls.key: "
            + SecureFileMesh.b64(SYSTEM_KEY)
            + "\n---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: bookinfo-cred\n"
            + "  namespace: shop\nstringData:\n  tls.crt: "
            + SHOP_CHAIN
            + "\n  tls.key: "
            + SHOP_KEY
            + "\n");
    Path tokens = work.resolve("tokens");
    Files.writeString(
        tokens,
        "token-system istio-system istio-ingressgateway\n"
            + "token-shop shop shop-gateway\n"
            + "token-payments payments payments-gateway\n");
    cp = SecureFileMesh.start(config, caDir, tokens);
  }

  @AfterEach
  void tearDown() throws InterruptedException {
    for (ManagedChannel c : channels) {
      c.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    if (cp != null) {
      cp.close();
    }
  }

  /**
   * A gateway pod of {@code namespace} as istio-agent announces it, labelled istio=ingressgateway.
   */
  private static Node router(String namespace, String serviceAccount) {
    String id = "router~10.0.0.9~gw-abc." + namespace + "~" + namespace + ".svc.cluster.local";
    Struct labels =
        Struct.newBuilder()
            .putFields("istio", Value.newBuilder().setStringValue("ingressgateway").build())
            .build();
    return AdsTestClient.node(id).toBuilder()
        .setMetadata(
            Struct.newBuilder()
                .putFields("NAMESPACE", Value.newBuilder().setStringValue(namespace).build())
                .putFields(
                    "SERVICE_ACCOUNT", Value.newBuilder().setStringValue(serviceAccount).build())
                .putFields("LABELS", Value.newBuilder().setStructValue(labels).build()))
        .build();
  }

  private AdsTestClient connect(String token, String namespace, String serviceAccount)
      throws Exception {
    ManagedChannel c =
        Grpc.newChannelBuilder(
                "localhost:" + cp.secure().orElseThrow().port(),
                TlsChannelCredentials.newBuilder()
                    .trustManager(
                        new ByteArrayInputStream(Files.readAllBytes(caDir.resolve("ca-cert.pem"))))
                    .build())
            .overrideAuthority(ISTIOD_HOST)
            .build();
    channels.add(c);
    Metadata headers = new Metadata();
    headers.put(AUTHORIZATION, "Bearer " + token);
    Channel authed =
        ClientInterceptors.intercept(c, MetadataUtils.newAttachHeadersInterceptor(headers));
    return new AdsTestClient(authed, router(namespace, serviceAccount));
  }

  /** The SDS names the served listeners' DownstreamTlsContexts reference for certificates. */
  private static List<String> certificateSdsNames(DiscoveryResponse lds) throws Exception {
    List<String> names = new ArrayList<>();
    for (Any a : lds.getResourcesList()) {
      Listener l = a.unpack(Listener.class);
      for (FilterChain fc : l.getFilterChainsList()) {
        if (!fc.hasTransportSocket()) {
          continue;
        }
        DownstreamTlsContext tls =
            fc.getTransportSocket().getTypedConfig().unpack(DownstreamTlsContext.class);
        for (SdsSecretConfig s :
            tls.getCommonTlsContext().getTlsCertificateSdsSecretConfigsList()) {
          assertThat(s.getSdsConfig().hasAds()).as("credential %s over ADS", s.getName()).isTrue();
          names.add(s.getName());
        }
      }
    }
    return names;
  }

  private static String chain(Secret s) {
    return s.getTlsCertificate().getCertificateChain().getInlineBytes().toStringUtf8();
  }

  private static String key(Secret s) {
    return s.getTlsCertificate().getPrivateKey().getInlineBytes().toStringUtf8();
  }

  /** Fetches LDS, then the listener's credential over SDS on the same stream. */
  private static Map<String, Secret> credentialsFromListener(AdsTestClient gw) throws Exception {
    gw.request(XdsType.LISTENER, List.of());
    DiscoveryResponse lds = gw.awaitResponse(0);
    assertThat(lds.getTypeUrl()).isEqualTo(XdsType.LISTENER.typeUrl());
    List<String> names = certificateSdsNames(lds);
    assertThat(names).containsExactly("kubernetes://bookinfo-cred");
    gw.ack(lds);
    gw.request(XdsType.SECRET, names);
    // The SDS answer, whatever else (a re-pushed LDS) the stream carries before it.
    DiscoveryResponse sds =
        await()
            .atMost(AdsTestClient.TIMEOUT)
            .until(
                () ->
                    gw.responses().stream()
                        .filter(r -> r.getTypeUrl().equals(XdsType.SECRET.typeUrl()))
                        .findFirst(),
                Optional::isPresent)
            .orElseThrow();
    return SecureFileMesh.secrets(sds);
  }

  @Test
  void theGatewaysOwnNamespaceSecretIsServedByteForByte() throws Exception {
    try (AdsTestClient gw = connect("token-system", "istio-system", "istio-ingressgateway")) {
      Map<String, Secret> got = credentialsFromListener(gw);
      assertThat(got).containsOnlyKeys("kubernetes://bookinfo-cred");
      Secret cred = got.get("kubernetes://bookinfo-cred");
      assertThat(chain(cred)).isEqualTo(SYSTEM_CHAIN);
      assertThat(key(cred)).isEqualTo(SYSTEM_KEY);
    }
  }

  @Test
  void aGatewayInAnotherNamespaceGetsItsOwnSecretForTheSameName() throws Exception {
    try (AdsTestClient gw = connect("token-shop", "shop", "shop-gateway")) {
      Secret cred = credentialsFromListener(gw).get("kubernetes://bookinfo-cred");
      assertThat(chain(cred)).isEqualTo(SHOP_CHAIN).isNotEqualTo(SYSTEM_CHAIN);
      assertThat(key(cred)).isEqualTo(SHOP_KEY);
    }
  }

  @Test
  void aGatewayInANamespaceWithoutTheSecretGetsNothing() throws Exception {
    try (AdsTestClient gw = connect("token-payments", "payments", "payments-gateway")) {
      assertThat(credentialsFromListener(gw)).isEmpty();
    }
  }

  @Test
  void anotherNamespacesSecretIsNeverServedByExplicitName() throws Exception {
    try (AdsTestClient gw = connect("token-system", "istio-system", "istio-ingressgateway")) {
      gw.request(
          XdsType.SECRET,
          List.of("kubernetes://shop/bookinfo-cred", "kubernetes://istio-system/bookinfo-cred"));
      Map<String, Secret> got = SecureFileMesh.secrets(gw.awaitResponse(0));
      // Its own namespace may be spelled out; another namespace never is served.
      assertThat(got).containsOnlyKeys("kubernetes://istio-system/bookinfo-cred");
      assertThat(chain(got.get("kubernetes://istio-system/bookinfo-cred"))).isEqualTo(SYSTEM_CHAIN);
    }
  }
}
