package dev.meshctl.controlplane.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import dev.meshctl.ca.server.AuthenticatingInterceptor;
import dev.meshctl.ca.server.Caller;
import dev.meshctl.xds.proxy.Proxy;
import dev.meshctl.xds.proxy.ProxyParser;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.grpc.Context;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Istio's XDS_AUTH rule: a proxy may claim only its caller's namespace and service account. */
class CallerNodeAuthorizerTest {
  private static final String NODE = "sidecar~10.0.0.5~reviews-1.shop~shop.svc.cluster.local";
  private final CallerNodeAuthorizer authorizer = new CallerNodeAuthorizer();

  private static Proxy proxy(String id, Map<String, String> metadata) throws Exception {
    Struct.Builder md = Struct.newBuilder();
    metadata.forEach((k, v) -> md.putFields(k, Value.newBuilder().setStringValue(v).build()));
    return ProxyParser.parse(Node.newBuilder().setId(id).setMetadata(md).build());
  }

  private Optional<String> as(String ns, String sa, Proxy proxy) throws Exception {
    return Context.current()
        .withValue(
            AuthenticatingInterceptor.CALLER, new Caller(ns, sa, Caller.Method.CLIENT_CERTIFICATE))
        .call(() -> authorizer.denial(proxy));
  }

  @Test
  void theCallersOwnNodeIsAccepted() throws Exception {
    assertThat(as("shop", "reviews", proxy(NODE, Map.of("SERVICE_ACCOUNT", "reviews")))).isEmpty();
    // Without SERVICE_ACCOUNT metadata only the namespace can be checked.
    assertThat(as("shop", "anything", proxy(NODE, Map.of()))).isEmpty();
  }

  @Test
  void metadataNamespaceOverridesTheIdAndIsWhatIsChecked() throws Exception {
    assertThat(as("shop", "reviews", proxy(NODE, Map.of("NAMESPACE", "payments"))))
        .contains(
            "node \""
                + NODE
                + "\" claims namespace \"payments\", but the caller is service account"
                + " \"reviews\" of namespace \"shop\"; a proxy may only claim its own namespace");
  }

  @Test
  void anotherServiceAccountOfTheSameNamespaceIsRefused() throws Exception {
    assertThat(as("shop", "reviews", proxy(NODE, Map.of("SERVICE_ACCOUNT", "ratings"))))
        .contains(
            "node \""
                + NODE
                + "\" claims service account \"ratings\", but the caller is service account"
                + " \"reviews\" of namespace \"shop\"; a proxy may only claim its own service"
                + " account");
  }

  @Test
  void noCallerNoConfig() throws Exception {
    assertThat(authorizer.denial(proxy(NODE, Map.of())))
        .contains("node \"" + NODE + "\": no authenticated caller on the secure xDS port");
  }
}
