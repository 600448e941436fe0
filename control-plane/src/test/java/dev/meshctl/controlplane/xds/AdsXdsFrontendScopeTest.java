package dev.meshctl.controlplane.xds;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshctl.controlplane.push.PushRequest;
import dev.meshctl.xds.model.ConfigKey;
import dev.meshctl.xds.model.ConfigKind;
import dev.meshctl.xds.model.MeshSnapshot;
import dev.meshctl.xds.model.NamespacedName;
import dev.meshctl.xds.server.PushScope;
import dev.meshctl.xds.translate.TranslationContext;
import dev.meshctl.xds.translate.XdsType;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Which push scope a change gets: Secrets alone push SDS to their subscribers only; a
 * PeerAuthentication (inbound chains, proxyless server listeners) always pushes everything; a
 * change that alters nothing the translators read pushes nothing.
 */
class AdsXdsFrontendScopeTest {
  private static final TranslationContext CTX = new TranslationContext(MeshSnapshot.empty());

  private static PushRequest change(ConfigKey... keys) {
    TreeSet<ConfigKey> k = new TreeSet<>(Set.of(keys));
    boolean endpointOnly = k.stream().allMatch(x -> x.kind().endpointOnly());
    return new PushRequest(false, k, endpointOnly, 1);
  }

  @Test
  void secretsOnlyChangeScopesToTheirSubscribers() {
    PushScope s =
        AdsXdsFrontend.scope(
            CTX,
            CTX,
            change(
                ConfigKey.of(ConfigKind.SECRET, "gw", "cred"),
                ConfigKey.of(ConfigKind.SECRET, "gw", "other")));
    assertThat(s.types()).isEmpty();
    assertThat(s.fullForAddresses()).isEmpty();
    assertThat(s.secrets())
        .containsExactlyInAnyOrder(
            NamespacedName.of("gw", "cred"), NamespacedName.of("gw", "other"));
  }

  @Test
  void secretsWithEndpointsUniteAndAnythingElseIsFull() {
    PushScope mixed =
        AdsXdsFrontend.scope(
            CTX,
            CTX,
            change(
                ConfigKey.of(ConfigKind.SECRET, "gw", "cred"),
                ConfigKey.of(ConfigKind.ENDPOINT_SLICE, "shop", "reviews-abc")));
    assertThat(mixed.types()).containsExactly(XdsType.ENDPOINT);
    assertThat(mixed.secrets()).containsExactly(NamespacedName.of("gw", "cred"));
    // A Service key whose snapshots do not differ reaches no proxy's config: only the Secret's
    // subscribers are pushed (ConfigImpactTest covers Services that do change).
    PushScope service =
        AdsXdsFrontend.scope(
            CTX,
            CTX,
            change(
                ConfigKey.of(ConfigKind.SECRET, "gw", "cred"),
                ConfigKey.of(ConfigKind.SERVICE, "shop", "reviews")));
    assertThat(service.types()).isEmpty();
    assertThat(service.secrets()).containsExactly(NamespacedName.of("gw", "cred"));
    assertThat(service.reach()).isSameAs(PushScope.Reach.NONE);
    assertThat(AdsXdsFrontend.scope(null, CTX, change(ConfigKey.of(ConfigKind.SECRET, "gw", "c"))))
        .isSameAs(PushScope.ALL);
  }

  /**
   * A PeerAuthentication changes inbound filter chains and proxyless server listeners (LDS), so it
   * must never be narrowed to EDS or SDS, alone or mixed with changes that would be.
   */
  @Test
  void peerAuthenticationChangeIsAFullPushAloneOrMixed() {
    ConfigKey pa = ConfigKey.of(ConfigKind.PEER_AUTHENTICATION, "istio-system", "default");
    assertThat(AdsXdsFrontend.scope(CTX, CTX, change(pa))).isSameAs(PushScope.ALL);
    assertThat(
            AdsXdsFrontend.scope(
                CTX, CTX, change(pa, ConfigKey.of(ConfigKind.ENDPOINT_SLICE, "shop", "r-abc"))))
        .isSameAs(PushScope.ALL);
    assertThat(
            AdsXdsFrontend.scope(
                CTX, CTX, change(pa, ConfigKey.of(ConfigKind.SECRET, "gw", "cred"))))
        .isSameAs(PushScope.ALL);
    assertThat(PushScope.ALL.types()).contains(XdsType.LISTENER);
  }
}
