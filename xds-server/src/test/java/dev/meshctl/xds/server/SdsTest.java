package dev.meshctl.xds.server;

import static dev.meshctl.xds.translate.XdsType.SECRET;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.meshctl.xds.model.MeshConfig;
import dev.meshctl.xds.model.MeshSnapshot;
import dev.meshctl.xds.model.NamespacedName;
import dev.meshctl.xds.testing.AdsTestClient;
import dev.meshctl.xds.testing.MeshFixture;
import dev.meshctl.xds.testing.RecordingEvents;
import dev.meshctl.xds.translate.MeshGenerator;
import dev.meshctl.xds.translate.TranslationContext;
import dev.meshctl.xds.translate.grpc.GrpcGenerator;
import dev.meshctl.xds.translate.secret.WorkloadCertificate;
import dev.meshctl.xds.translate.sidecar.SidecarGenerator;
import dev.meshctl.xds.validate.PgvValidator;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * SDS over ADS with the real generator and validator: gateway credentials from Kubernetes Secrets
 * of the proxy's own namespace only, identity secrets only on an authenticated service, Secret
 * changes pushed only to subscribers, and private keys never in a config dump.
 */
class SdsTest {
  private static final String NODE_A = "router~10.0.0.1~gw-1.default~default.svc.cluster.local";
  private static final String NODE_B = "router~10.0.0.2~gw-2.default~default.svc.cluster.local";
  private static final String CHAIN = "-----BEGIN CERTIFICATE-----\nMY-CRED-CHAIN\n";
  private static final String KEY = "-----BEGIN PRIVATE KEY-----\nMY-CRED-KEY\n";
  private static final String CA = "-----BEGIN CERTIFICATE-----\nMY-CRED-CA\n";
  private static final WorkloadCertificate WORKLOAD =
      new WorkloadCertificate(
          "spiffe://cluster.local/ns/default/sa/default",
          "WORKLOAD-CHAIN",
          "WORKLOAD-PRIVATE-KEY",
          "ROOT-BUNDLE");

  private final ExecutorService executor = Executors.newFixedThreadPool(2);
  private final AtomicInteger certificateRequests = new AtomicInteger();
  private final AdsServer ads =
      new AdsServer(
          new MeshGenerator(new SidecarGenerator(), new GrpcGenerator()),
          new PgvValidator(),
          executor,
          Clock.systemUTC(),
          new RecordingEvents());
  private final List<Server> servers = new ArrayList<>();
  private final List<ManagedChannel> channels = new ArrayList<>();
  private final List<AdsTestClient> clients = new ArrayList<>();

  @AfterEach
  void close() {
    clients.forEach(AdsTestClient::close);
    channels.forEach(ManagedChannel::shutdownNow);
    servers.forEach(Server::shutdownNow);
    executor.shutdownNow();
  }

  private static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  private static String secretYaml(String ns, String name, Map<String, String> data) {
    StringBuilder y =
        new StringBuilder(
            "apiVersion: v1\nkind: Secret\nmetadata:\n  name: "
                + name
                + "\n  namespace: "
                + ns
                + "\ntype: kubernetes.io/tls\ndata:\n");
    data.forEach((k, v) -> y.append("  ").append(k).append(": ").append(b64(v)).append('\n'));
    return y.toString();
  }

  private static TranslationContext context(String... secretYamls) {
    return new TranslationContext(
        MeshSnapshot.build(
            MeshConfig.DEFAULT, MeshFixture.objects(String.join("---\n", secretYamls), "secrets")));
  }

  private static String myCred(String chain) {
    return secretYaml("default", "my-cred", Map.of("tls.crt", chain, "tls.key", KEY, "ca.crt", CA));
  }

  private AdsTestClient client(io.grpc.BindableService service, String nodeId) {
    String name = InProcessServerBuilder.generateName();
    try {
      servers.add(InProcessServerBuilder.forName(name).addService(service).build().start());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    ManagedChannel ch = InProcessChannelBuilder.forName(name).build();
    channels.add(ch);
    AdsTestClient c = new AdsTestClient(ch, AdsTestClient.node(nodeId));
    clients.add(c);
    return c;
  }

  private io.grpc.BindableService secure() {
    return ads.withNodeAuthorizer(
        p -> Optional.empty(),
        p -> {
          certificateRequests.incrementAndGet();
          return Optional.of(WORKLOAD);
        });
  }

  private static Map<String, Secret> secrets(List<Any> resources)
      throws InvalidProtocolBufferException {
    Map<String, Secret> out = new TreeMap<>();
    for (Any a : resources) {
      Secret s = a.unpack(Secret.class);
      out.put(s.getName(), s);
    }
    return out;
  }

  private static String chainOf(Secret s) {
    return s.getTlsCertificate().getCertificateChain().getInlineBytes().toStringUtf8();
  }

  @Test
  void gatewayGetsItsOwnNamespacesCredentialAndNothingFromAnother() throws Exception {
    ads.push(
        context(
            myCred(CHAIN),
            secretYaml("other", "my-cred", Map.of("tls.crt", "OTHER", "tls.key", "OTHER-KEY")),
            secretYaml("other", "their-cred", Map.of("tls.crt", "THEIRS", "tls.key", "K"))));
    AdsTestClient c = client(ads, NODE_A);
    c.request(
        SECRET,
        List.of(
            "kubernetes://my-cred",
            "kubernetes://my-cred-cacert",
            "kubernetes://other/their-cred",
            "kubernetes://other/my-cred",
            "kubernetes://their-cred",
            "kubernetes://missing"));
    DiscoveryResponse r = c.awaitResponse(0);
    assertThat(r.getTypeUrl()).isEqualTo(SECRET.typeUrl());
    Map<String, Secret> got = secrets(r.getResourcesList());
    assertThat(got).containsOnlyKeys("kubernetes://my-cred", "kubernetes://my-cred-cacert");
    Secret cred = got.get("kubernetes://my-cred");
    assertThat(chainOf(cred)).isEqualTo(CHAIN);
    assertThat(cred.getTlsCertificate().getPrivateKey().getInlineBytes().toStringUtf8())
        .isEqualTo(KEY);
    assertThat(cred.hasValidationContext()).isFalse();
    assertThat(
            got.get("kubernetes://my-cred-cacert")
                .getValidationContext()
                .getTrustedCa()
                .getInlineBytes()
                .toStringUtf8())
        .isEqualTo(CA);
  }

  @Test
  void caFallsBackToASeparateCacertSecret() throws Exception {
    ads.push(
        context(
            secretYaml("default", "split", Map.of("tls.crt", CHAIN, "tls.key", KEY)),
            secretYaml("default", "split-cacert", Map.of("cacert", "SEPARATE-CA"))));
    AdsTestClient c = client(ads, NODE_A);
    c.request(SECRET, List.of("kubernetes://split-cacert"));
    Map<String, Secret> got = secrets(c.awaitResponse(0).getResourcesList());
    assertThat(
            got.get("kubernetes://split-cacert")
                .getValidationContext()
                .getTrustedCa()
                .getInlineBytes()
                .toStringUtf8())
        .isEqualTo("SEPARATE-CA");
  }

  @Test
  void aSecretChangeIsPushedOnlyToItsSubscribers() throws Exception {
    String other1 = secretYaml("default", "other", Map.of("tls.crt", "O1", "tls.key", KEY));
    String other2 = secretYaml("default", "other", Map.of("tls.crt", "O2", "tls.key", KEY));
    String other3 = secretYaml("default", "other", Map.of("tls.crt", "O3", "tls.key", KEY));
    ads.push(context(myCred("V1"), other1));
    AdsTestClient a = client(ads, NODE_A);
    AdsTestClient b = client(ads, NODE_B);
    a.request(SECRET, List.of("kubernetes://my-cred"));
    b.request(SECRET, List.of("kubernetes://other"));
    a.ack(a.awaitResponse(0));
    b.ack(b.awaitResponse(0));

    // Both Secrets change, but the scope names only my-cred: b must not be regenerated.
    ads.push(
        context(myCred("V2"), other2),
        PushScope.secrets(Set.of(NamespacedName.of("default", "my-cred"))));
    assertThat(chainOf(secrets(a.awaitResponse(1).getResourcesList()).get("kubernetes://my-cred")))
        .isEqualTo("V2");
    // A full push with "other" changed once more: b's next response is O3; had the scoped push
    // reached b, it would have received O2 first.
    ads.push(context(myCred("V2"), other3));
    DiscoveryResponse bNext = b.awaitResponse(1);
    assertThat(chainOf(secrets(bNext.getResourcesList()).get("kubernetes://other")))
        .isEqualTo("O3");
    assertThat(b.responses()).hasSize(2);
  }

  @Test
  void deltaSubscribersGetAddsChangesAndRemovals() throws Exception {
    ads.push(context(myCred("V1")));
    AdsTestClient c = client(ads, NODE_A);
    c.deltaRequest(
        SECRET, List.of("kubernetes://my-cred", "kubernetes://other/my-cred"), List.of(), Map.of());
    DeltaDiscoveryResponse first = c.awaitDeltaResponse(0);
    assertThat(first.getResourcesList()).hasSize(1);
    assertThat(first.getResources(0).getName()).isEqualTo("kubernetes://my-cred");
    assertThat(chainOf(first.getResources(0).getResource().unpack(Secret.class))).isEqualTo("V1");
    assertThat(first.getRemovedResourcesList()).containsExactly("kubernetes://other/my-cred");
    c.deltaAck(first);

    ads.push(
        context(myCred("V2")), PushScope.secrets(Set.of(NamespacedName.of("default", "my-cred"))));
    DeltaDiscoveryResponse second = c.awaitDeltaResponse(1);
    assertThat(chainOf(second.getResources(0).getResource().unpack(Secret.class))).isEqualTo("V2");
    c.deltaAck(second);

    ads.push(context(), PushScope.secrets(Set.of(NamespacedName.of("default", "my-cred"))));
    DeltaDiscoveryResponse third = c.awaitDeltaResponse(2);
    assertThat(third.getResourcesList()).isEmpty();
    assertThat(third.getRemovedResourcesList()).containsExactly("kubernetes://my-cred");
  }

  @Test
  void identitySecretsAreRefusedOnThePlaintextService() throws Exception {
    ads.push(context(myCred(CHAIN)));
    AdsTestClient c = client(ads, NODE_A);
    c.request(SECRET, List.of("default", "ROOTCA", "kubernetes://my-cred"));
    assertThat(secrets(c.awaitResponse(0).getResourcesList()))
        .containsOnlyKeys("kubernetes://my-cred");
    assertThat(certificateRequests).hasValue(0);
  }

  @Test
  void authenticatedStreamsGetDefaultAndRootcaOverSotwAndDelta() throws Exception {
    ads.push(context(myCred(CHAIN)));
    AdsTestClient sotw = client(secure(), NODE_A);
    sotw.request(SECRET, List.of("default", "ROOTCA"));
    Map<String, Secret> got = secrets(sotw.awaitResponse(0).getResourcesList());
    assertThat(chainOf(got.get("default"))).isEqualTo("WORKLOAD-CHAIN");
    assertThat(
            got.get("default").getTlsCertificate().getPrivateKey().getInlineBytes().toStringUtf8())
        .isEqualTo("WORKLOAD-PRIVATE-KEY");
    assertThat(
            got.get("ROOTCA").getValidationContext().getTrustedCa().getInlineBytes().toStringUtf8())
        .isEqualTo("ROOT-BUNDLE");

    AdsTestClient delta = client(secure(), NODE_B);
    delta.deltaRequest(SECRET, List.of("default"), List.of(), Map.of());
    DeltaDiscoveryResponse d = delta.awaitDeltaResponse(0);
    assertThat(d.getResources(0).getName()).isEqualTo("default");
    assertThat(chainOf(d.getResources(0).getResource().unpack(Secret.class)))
        .isEqualTo("WORKLOAD-CHAIN");
  }

  @Test
  void configDumpRedactsPrivateKeys() throws Exception {
    ads.push(context(myCred(CHAIN)));
    AdsTestClient c = client(secure(), NODE_A);
    c.request(SECRET, List.of("default", "kubernetes://my-cred"));
    c.awaitResponse(0);
    // The stream publishes its status just after sending: wait for it rather than race it.
    ProxyConfigDump dump =
        org.awaitility.Awaitility.await()
            .atMost(java.time.Duration.ofSeconds(10))
            .until(() -> ads.configDump("gw-1.default"), java.util.Optional::isPresent)
            .orElseThrow();
    ProxyConfigDump.TypeDump sds = dump.types().get(SECRET);
    assertThat(sds.resources()).containsOnlyKeys("default", "kubernetes://my-cred");
    Secret cred = (Secret) sds.resources().get("kubernetes://my-cred").message();
    assertThat(chainOf(cred)).isEqualTo(CHAIN);
    assertThat(cred.getTlsCertificate().getPrivateKey().getInlineString()).isEqualTo("[redacted]");
    String printed = dump.toString() + sds.resources();
    assertThat(printed).doesNotContain("MY-CRED-KEY").doesNotContain("WORKLOAD-PRIVATE-KEY");
  }
}
