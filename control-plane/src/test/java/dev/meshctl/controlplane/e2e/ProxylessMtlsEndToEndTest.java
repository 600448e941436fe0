package dev.meshctl.controlplane.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.meshctl.ca.api.v1.IstioCertificateRequest;
import dev.meshctl.ca.api.v1.IstioCertificateResponse;
import dev.meshctl.ca.api.v1.IstioCertificateServiceGrpc;
import dev.meshctl.ca.pki.Pem;
import dev.meshctl.controlplane.ControlPlane;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.InsecureServerCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.NameResolverRegistry;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.ServerCalls;
import io.grpc.xds.XdsChannelCredentials;
import io.grpc.xds.XdsNameResolverProvider;
import io.grpc.xds.XdsServerBuilder;
import io.grpc.xds.XdsServerCredentials;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLSession;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.ExtensionsGenerator;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mutual TLS between a real grpc-java xDS client and a real grpc-java xDS server, with certificates
 * from our CA and config from our control plane: each workload gets its certificate over 15012 as
 * istio-agent asks for it, the files go where grpc's {@code file_watcher} certificate provider
 * (bootstrap instance {@code default}) reads them, and the generated clusters and server listeners
 * name that provider. The server reports the identity it saw for each caller.
 */
class ProxylessMtlsEndToEndTest {
  private static final String ISTIOD_HOST = "istiod.istio-system.svc";
  private static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
  private static final String TARGET = "greeter.default.svc.cluster.local:7070";
  private static final String CLIENT_ID = "spiffe://cluster.local/ns/default/sa/client";
  private static final String SERVER_ID = "spiffe://cluster.local/ns/default/sa/greeter";
  private static final String PLAINTEXT = "plaintext";
  private static final AtomicInteger SCHEMES = new AtomicInteger();

  @TempDir Path config;
  @TempDir Path work;

  private ControlPlane cp;
  private final List<ManagedChannel> channels = new ArrayList<>();
  private final List<XdsNameResolverProvider> resolvers = new ArrayList<>();
  private final List<Server> servers = new ArrayList<>();

  @AfterEach
  void tearDown() throws InterruptedException {
    for (ManagedChannel c : channels) {
      c.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    for (XdsNameResolverProvider r : resolvers) {
      NameResolverRegistry.getDefaultRegistry().deregister(r);
    }
    for (Server s : servers) {
      s.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    if (cp != null) {
      cp.close();
    }
  }

  @Test
  void istioMutualCallsAMeshServerOverMutualTlsAndPlaintextIsRefused() throws Exception {
    int port = freePort();
    writeService(port, "greeter", Map.of("security.istio.io/tlsMode", "istio"));
    writeIstioMutualRule();
    start();
    Path serverCerts = issue("token-greeter", SERVER_ID);
    Path clientCerts = issue("token-client", CLIENT_ID);

    // A mesh pod (tlsMode=istio) under the default PERMISSIVE: grpc cannot serve both on one port,
    // so it is served as mTLS, the form mesh clients upgrade to.
    startServer(port, Map.of("app", "greeter", "security.istio.io/tlsMode", "istio"), serverCerts);

    ManagedChannel mtls = client(Optional.of(clientCerts));
    assertThat(who(mtls)).isEqualTo(CLIENT_ID);

    // The same target without xDS credentials sends plaintext, which the server refuses. (Its
    // bootstrap has the provider, so it ACKs the cluster: the refusal is the server's.)
    assertThat(refusal(plaintextClient(clientCerts))).isEqualTo(Status.Code.UNAVAILABLE);
  }

  @Test
  void aServerOutsideTheMeshLabelServesPlaintextUnderPermissive() throws Exception {
    int port = freePort();
    writeService(port, "greeter", Map.of());
    start();
    Path serverCerts = issue("token-greeter", SERVER_ID);

    startServer(port, Map.of("app", "greeter"), serverCerts);

    // xDS credentials with no TLS in the cluster fall back to plaintext, and so does a client
    // without them: both reach the server, which sees no TLS session.
    Path clientCerts = issue("token-client", CLIENT_ID);
    assertThat(who(client(Optional.of(clientCerts)))).isEqualTo(PLAINTEXT);
    assertThat(who(client(Optional.empty()))).isEqualTo(PLAINTEXT);
  }

  /**
   * STRICT from a PeerAuthentication file: a mesh-wide policy in the root namespace makes even an
   * unlabelled server (which PERMISSIVE would serve as plaintext) require mTLS. Relaxing the file
   * to PERMISSIVE at runtime must reach the running server as a new listener, and plaintext is
   * served again.
   */
  @Test
  void strictPeerAuthenticationFileRequiresMutualTlsUntilRelaxedAtRuntime() throws Exception {
    int port = freePort();
    writeService(port, "greeter", Map.of());
    writeIstioMutualRule();
    writeMeshWidePeerAuthentication("STRICT");
    start();
    Path serverCerts = issue("token-greeter", SERVER_ID);
    Path clientCerts = issue("token-client", CLIENT_ID);

    // No tlsMode label: without the policy this server would be plaintext (test above).
    startServer(port, Map.of("app", "greeter"), serverCerts);

    assertThat(who(client(Optional.of(clientCerts)))).isEqualTo(CLIENT_ID);
    assertThat(refusal(plaintextClient(clientCerts))).isEqualTo(Status.Code.UNAVAILABLE);

    writeMeshWidePeerAuthentication("PERMISSIVE");

    // Each attempt is a fresh channel, so a failed attempt's reconnect backoff cannot delay the
    // next one; a plaintext reply needs the server to have received the PERMISSIVE listener.
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(200))
        .ignoreExceptionsInstanceOf(StatusRuntimeException.class)
        .until(() -> who(plaintextClient(clientCerts)), PLAINTEXT::equals);
  }

  /**
   * AuthorizationPolicy enforced by grpc-java's RBAC filter on the server listener we generate:
   * under STRICT mTLS an ALLOW policy naming the client's principal lets it in and refuses another
   * service account (PERMISSION_DENIED); a DENY policy on the method's path, added at runtime, then
   * refuses the allowed client too (DENY is evaluated first).
   */
  @Test
  void authorizationPoliciesAllowTheNamedPrincipalAndDenyWins() throws Exception {
    int port = freePort();
    writeService(port, "greeter", Map.of());
    writeIstioMutualRule();
    writeMeshWidePeerAuthentication("STRICT");
    Files.writeString(
        config.resolve("allow.yaml"),
        """
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata: {name: allow-client, namespace: default}
        spec:
          selector: {matchLabels: {app: greeter}}
          action: ALLOW
          rules:
          - from:
            - source: {principals: ["cluster.local/ns/default/sa/client"]}
        """);
    start();
    Path serverCerts = issue("token-greeter", SERVER_ID);
    Path clientCerts = issue("token-client", CLIENT_ID);
    Path otherCerts = issue("token-other", "spiffe://cluster.local/ns/default/sa/other");
    startServer(port, Map.of("app", "greeter"), serverCerts);

    assertThat(who(client(Optional.of(clientCerts)))).isEqualTo(CLIENT_ID);
    assertThat(denial(client(Optional.of(otherCerts)))).isEqualTo(Status.Code.PERMISSION_DENIED);

    Files.writeString(
        config.resolve("deny.yaml"),
        """
        apiVersion: security.istio.io/v1
        kind: AuthorizationPolicy
        metadata: {name: deny-who, namespace: default}
        spec:
          selector: {matchLabels: {app: greeter}}
          action: DENY
          rules:
          - to:
            - operation: {paths: ["/meshctl.test.Greeter/Who"]}
        """);
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(200))
        .until(
            () -> denial(client(Optional.of(clientCerts))), Status.Code.PERMISSION_DENIED::equals);
  }

  /** The status code of a call that fails; OK when it answers. */
  private static Status.Code denial(ManagedChannel channel) {
    try {
      GrpcMesh.who(channel);
      return Status.Code.OK;
    } catch (StatusRuntimeException e) {
      return e.getStatus().getCode();
    }
  }

  /** A DestinationRule making clients of the greeter use ISTIO_MUTUAL. */
  private void writeIstioMutualRule() throws IOException {
    Files.writeString(
        config.resolve("dr.yaml"),
        """
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: {name: greeter, namespace: default}
        spec:
          host: greeter
          trafficPolicy: {tls: {mode: ISTIO_MUTUAL}}
        """);
  }

  /** The mesh-wide PeerAuthentication (root namespace {@code istio-system}) with {@code mode}. */
  private void writeMeshWidePeerAuthentication(String mode) throws IOException {
    Files.writeString(
        config.resolve("peer-authentication.yaml"),
        """
        apiVersion: security.istio.io/v1
        kind: PeerAuthentication
        metadata: {name: default, namespace: istio-system}
        spec:
          mtls: {mode: %s}
        """
            .formatted(mode));
  }

  private void start() throws IOException {
    Path tokens = work.resolve("tokens");
    Files.writeString(
        tokens,
        "token-greeter default greeter\ntoken-client default client\ntoken-other default other\n");
    cp = SecureFileMesh.start(config, work.resolve("ca"), tokens);
  }

  /** The greeter Service and one Pod (service account {@code sa}) at 127.0.0.1:{@code port}. */
  private void writeService(int port, String sa, Map<String, String> extraLabels)
      throws IOException {
    StringBuilder labels = new StringBuilder("{app: greeter");
    extraLabels.forEach((k, v) -> labels.append(", ").append(k).append(": ").append(v));
    labels.append('}');
    Files.writeString(
        config.resolve("greeter.yaml"),
        """
        apiVersion: v1
        kind: Service
        metadata: {name: greeter, namespace: default}
        spec:
          clusterIP: 10.96.7.7
          selector: {app: greeter}
          ports: [{name: grpc, port: 7070, targetPort: grpc}]
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: greeter-1, namespace: default, labels: %1$s}
        spec:
          serviceAccountName: %2$s
          containers: [{name: app, ports: [{name: grpc, containerPort: %3$d}]}]
        status: {podIP: 127.0.0.1}
        ---
        apiVersion: discovery.k8s.io/v1
        kind: EndpointSlice
        metadata:
          name: greeter-1
          namespace: default
          labels: {kubernetes.io/service-name: greeter}
        addressType: IPv4
        ports: [{name: grpc, port: %3$d}]
        endpoints:
        - addresses: [127.0.0.1]
          conditions: {ready: true}
          targetRef: {kind: Pod, namespace: default, name: greeter-1}
        """
            .formatted(labels, sa, port));
  }

  /**
   * What istio-agent does for a proxyless workload: a fresh P-256 key and a CSR for {@code
   * spiffeId}, sent with the workload's token over TLS to 15012; the key, chain and root are
   * written to a directory as {@code key.pem}, {@code cert-chain.pem}, {@code root-cert.pem}.
   */
  private Path issue(String token, String spiffeId) throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    KeyPair keys = g.generateKeyPair();
    ExtensionsGenerator ext = new ExtensionsGenerator();
    ext.addExtension(
        Extension.subjectAlternativeName,
        true,
        new GeneralNames(new GeneralName(GeneralName.uniformResourceIdentifier, spiffeId)));
    String csr =
        Pem.encode(
            new JcaPKCS10CertificationRequestBuilder(new X500Name(""), keys.getPublic())
                .addAttribute(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest, ext.generate())
                .build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate())));
    byte[] root = Files.readAllBytes(work.resolve("ca").resolve("ca-cert.pem"));
    ManagedChannel ca =
        Grpc.newChannelBuilder(
                "localhost:" + cp.secure().orElseThrow().port(),
                TlsChannelCredentials.newBuilder()
                    .trustManager(new ByteArrayInputStream(root))
                    .build())
            .overrideAuthority(ISTIOD_HOST)
            .build();
    channels.add(ca);
    Metadata headers = new Metadata();
    headers.put(AUTHORIZATION, "Bearer " + token);
    IstioCertificateResponse response =
        IstioCertificateServiceGrpc.newBlockingStub(ca)
            .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
            .withDeadlineAfter(20, TimeUnit.SECONDS)
            .createCertificate(
                IstioCertificateRequest.newBuilder().setCsr(csr).setValidityDuration(3600).build());
    List<X509Certificate> chain = new ArrayList<>();
    for (String pem : response.getCertChainList()) {
      chain.addAll(Pem.certificates(pem.getBytes(StandardCharsets.US_ASCII)));
    }
    Path dir =
        Files.createDirectories(
            work.resolve(spiffeId.substring(spiffeId.lastIndexOf('/')).substring(1)));
    // The chain ends with the root; the leaf and intermediates are the identity, the root the
    // trust.
    Files.writeString(dir.resolve("cert-chain.pem"), Pem.encodeAll(chain));
    Files.writeString(dir.resolve("key.pem"), Pem.encode(keys.getPrivate()));
    Files.write(dir.resolve("root-cert.pem"), root);
    return dir;
  }

  /**
   * The bootstrap istio-agent writes for a proxyless workload: {@link GrpcMesh#bootstrap}, plus the
   * server listener name template and a {@code file_watcher} provider named {@code default} over
   * the workload's certificate files.
   */
  private Map<String, Object> bootstrap(
      String pod, Map<String, String> labels, Optional<Path> certs) {
    Map<String, Object> b = new HashMap<>(GrpcMesh.bootstrap(cp.xdsPort(), pod, labels));
    b.put("server_listener_resource_name_template", "xds.istio.io/grpc/lds/inbound/%s");
    certs.ifPresent(
        dir ->
            b.put(
                "certificate_providers",
                Map.of(
                    "default",
                    Map.of(
                        "plugin_name",
                        "file_watcher",
                        "config",
                        Map.of(
                            "certificate_file", dir.resolve("cert-chain.pem").toString(),
                            "private_key_file", dir.resolve("key.pem").toString(),
                            "ca_certificate_file", dir.resolve("root-cert.pem").toString(),
                            "refresh_interval", "900s")))));
    return b;
  }

  /**
   * A grpc-java xDS server on 127.0.0.1:{@code port} whose Who answers the caller's SPIFFE ID (or
   * {@value #PLAINTEXT}); returns once it serves with the listener from our control plane.
   */
  private void startServer(int port, Map<String, String> labels, Path certs) throws IOException {
    AtomicBoolean serving = new AtomicBoolean();
    ServerServiceDefinition greeter =
        ServerServiceDefinition.builder("meshctl.test.Greeter")
            .addMethod(
                GrpcMesh.WHO,
                ServerCalls.asyncUnaryCall(
                    (req, reply) -> {
                      reply.onNext(PEER_KEY.get());
                      reply.onCompleted();
                    }))
            .build();
    Server server =
        XdsServerBuilder.forAddress(
                new InetSocketAddress("127.0.0.1", port),
                XdsServerCredentials.create(InsecureServerCredentials.create()))
            .overrideBootstrapForTest(bootstrap("greeter-1", labels, Optional.of(certs)))
            .xdsServingStatusListener(
                new XdsServerBuilder.XdsServingStatusListener() {
                  @Override
                  public void onServing() {
                    serving.set(true);
                  }

                  @Override
                  public void onNotServing(Throwable t) {
                    serving.set(false);
                  }
                })
            .addService(ServerInterceptors.intercept(greeter, new PeerIdentity()))
            .build()
            .start();
    servers.add(server);
    await().atMost(Duration.ofSeconds(20)).untilTrue(serving);
  }

  /** A proxyless client of the greeter target, with xDS TLS credentials when {@code certs}. */
  private ManagedChannel client(Optional<Path> certs) {
    return client(certs, certs.isPresent());
  }

  /**
   * A proxyless client whose bootstrap has the {@code default} provider over {@code certs}, but
   * without xDS credentials: it accepts (ACKs) the ISTIO_MUTUAL cluster and still sends plaintext,
   * so a refusal is the server's, not a NACK on the client's side.
   */
  private ManagedChannel plaintextClient(Path certs) {
    return client(Optional.of(certs), false);
  }

  private ManagedChannel client(Optional<Path> certs, boolean xdsCredentials) {
    String scheme = "meshctl-mtls" + SCHEMES.incrementAndGet();
    XdsNameResolverProvider resolver =
        XdsNameResolverProvider.createForTest(
            scheme, bootstrap("client-" + scheme, Map.of("app", "client"), certs));
    NameResolverRegistry.getDefaultRegistry().register(resolver);
    resolvers.add(resolver);
    ManagedChannel channel =
        Grpc.newChannelBuilder(
                scheme + ":///" + TARGET,
                xdsCredentials
                    ? XdsChannelCredentials.create(InsecureChannelCredentials.create())
                    : InsecureChannelCredentials.create())
            .build();
    channels.add(channel);
    return channel;
  }

  private static String who(ManagedChannel channel) {
    return GrpcMesh.who(channel);
  }

  /**
   * The status code of a call the server refuses: the client accepted its config (no xDS error in
   * the status), so the failure is the connection the server would not serve.
   */
  private static Status.Code refusal(ManagedChannel channel) {
    try {
      String reply = GrpcMesh.who(channel);
      throw new AssertionError("expected the call to fail, but it answered " + reply);
    } catch (StatusRuntimeException e) {
      assertThat(String.valueOf(e.getStatus().getDescription()))
          .doesNotContain("CertificateProvider")
          .doesNotContain("validation error");
      return e.getStatus().getCode();
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /** The caller's identity for the current call, set by {@link PeerIdentity}. */
  private static final io.grpc.Context.Key<String> PEER_KEY = io.grpc.Context.key("peer");

  /** Puts the URI SAN of the caller's certificate (or "plaintext") into the call's context. */
  private static final class PeerIdentity implements ServerInterceptor {
    @Override
    public <Q, A> ServerCall.Listener<Q> interceptCall(
        ServerCall<Q, A> call, Metadata headers, ServerCallHandler<Q, A> next) {
      SSLSession session = call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION);
      String peer = PLAINTEXT;
      if (session != null) {
        try {
          X509Certificate leaf = (X509Certificate) session.getPeerCertificates()[0];
          peer =
              leaf.getSubjectAlternativeNames().stream()
                  .filter(n -> (Integer) n.get(0) == 6)
                  .map(n -> (String) n.get(1))
                  .findFirst()
                  .orElse("no URI SAN");
        } catch (Exception e) {
          peer = "no peer certificate: " + e;
        }
      }
      return io.grpc.Contexts.interceptCall(
          io.grpc.Context.current().withValue(PEER_KEY, peer), call, headers, next);
    }
  }
}
