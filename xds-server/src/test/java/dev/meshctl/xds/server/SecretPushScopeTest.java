package dev.meshctl.xds.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshctl.xds.model.NamespacedName;
import dev.meshctl.xds.proxy.Proxy;
import dev.meshctl.xds.proxy.ProxyParser;
import dev.meshctl.xds.testing.AdsTestClient;
import dev.meshctl.xds.translate.Subscription;
import dev.meshctl.xds.translate.XdsType;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** A Secret change covers SDS of the proxies of its namespace subscribed to a name reading it. */
class SecretPushScopeTest {
  private static Proxy proxy(String namespace) throws Exception {
    return ProxyParser.parse(
        AdsTestClient.node(
            "router~10.0.0.1~gw-1." + namespace + "~" + namespace + ".svc.cluster.local"));
  }

  private static final PushScope CRED = PushScope.secrets(Set.of(NamespacedName.of("gw", "cred")));

  @Test
  void coversSubscribersOfTheSecretAndItsCaNameInItsNamespaceOnly() throws Exception {
    Proxy gw = proxy("gw");
    assertThat(CRED.covers(XdsType.SECRET, gw, Subscription.names(Set.of("kubernetes://cred"))))
        .isTrue();
    assertThat(
            CRED.covers(XdsType.SECRET, gw, Subscription.names(Set.of("kubernetes://cred-cacert"))))
        .isTrue();
    assertThat(CRED.covers(XdsType.SECRET, gw, Subscription.names(Set.of("kubernetes://other"))))
        .isFalse();
    assertThat(
            CRED.covers(
                XdsType.SECRET,
                proxy("elsewhere"),
                Subscription.names(Set.of("kubernetes://cred"))))
        .isFalse();
    assertThat(CRED.covers(XdsType.LISTENER, gw, Subscription.WILDCARD)).isFalse();
    assertThat(CRED.covers(XdsType.CLUSTER, gw, Subscription.WILDCARD)).isFalse();
  }

  @Test
  void aSeparateCacertSecretCoversTheCaName() throws Exception {
    PushScope ca = PushScope.secrets(Set.of(NamespacedName.of("gw", "cred-cacert")));
    assertThat(
            ca.covers(
                XdsType.SECRET,
                proxy("gw"),
                Subscription.names(Set.of("kubernetes://cred-cacert"))))
        .isTrue();
    assertThat(
            ca.covers(XdsType.SECRET, proxy("gw"), Subscription.names(Set.of("kubernetes://cred"))))
        .isFalse();
  }

  @Test
  void unionKeepsSecretsAndEndpoints() throws Exception {
    PushScope u = CRED.union(PushScope.endpoints(Set.of("10.0.0.9")));
    assertThat(u.secrets()).containsExactly(NamespacedName.of("gw", "cred"));
    assertThat(u.types()).containsExactly(XdsType.ENDPOINT);
    assertThat(
            u.covers(XdsType.SECRET, proxy("gw"), Subscription.names(Set.of("kubernetes://cred"))))
        .isTrue();
    assertThat(PushScope.ALL.covers(XdsType.SECRET, proxy("x"), Subscription.names(Set.of("a"))))
        .isTrue();
  }
}
