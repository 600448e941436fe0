package dev.meshctl.xds.model.decode;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshctl.xds.model.LabelSelector;
import dev.meshctl.xds.model.MeshConfig;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class MeshConfigDecoderTest {

  @Test
  void blankTextIsIstiosDefaults() {
    MeshConfigDecoder.Result r = MeshConfigDecoder.decode("  \n# nothing\n");
    assertThat(r.config()).contains(MeshConfig.DEFAULT);
    assertThat(r.errors()).isEmpty();
    assertThat(r.warnings()).isEmpty();
  }

  @Test
  void everyReadFieldIsDecoded() {
    MeshConfigDecoder.Result r =
        MeshConfigDecoder.decode(
            """
            rootNamespace: mesh-root
            trustDomain: example.org
            outboundTrafficPolicy:
              mode: REGISTRY_ONLY
            enableAutoMtls: false
            connectTimeout: 2.5s
            ingressControllerMode: DEFAULT
            ingressClass: nginx
            defaultConfig:
              discoveryAddress: cp.mesh-root.svc:15012
              proxyMetadata: {ISTIO_META_DNS_CAPTURE: "true"}
            discoverySelectors:
            - matchLabels: {env: prod}
            - matchExpressions:
              - {key: team, operator: In, values: [a, b]}
              - {key: legacy, operator: DoesNotExist}
            enablePrometheusMerge: true
            """);
    assertThat(r.errors()).isEmpty();
    assertThat(r.warnings()).isEmpty();
    MeshConfig m = r.config().orElseThrow();
    assertThat(m.rootNamespace()).isEqualTo("mesh-root");
    assertThat(m.trustDomain()).isEqualTo("example.org");
    assertThat(m.domainSuffix()).isEqualTo("cluster.local");
    assertThat(m.outboundTrafficPolicy()).isEqualTo(MeshConfig.OutboundTrafficPolicy.REGISTRY_ONLY);
    assertThat(m.enableAutoMtls()).isFalse();
    assertThat(m.connectTimeout()).isEqualTo(Duration.ofMillis(2500));
    assertThat(m.ingressControllerMode()).isEqualTo(MeshConfig.IngressControllerMode.DEFAULT);
    assertThat(m.ingressClass()).isEqualTo("nginx");
    assertThat(m.discoveryAddress()).isEqualTo("cp.mesh-root.svc:15012");
    assertThat(m.discoverySelectors())
        .containsExactly(
            LabelSelector.ofLabels(Map.of("env", "prod")),
            new LabelSelector(
                Map.of(),
                List.of(
                    new LabelSelector.Requirement(
                        "team", LabelSelector.Operator.In, List.of("a", "b")),
                    new LabelSelector.Requirement(
                        "legacy", LabelSelector.Operator.DoesNotExist, List.of()))));
    // Any selector selects (OR); within one, every requirement must hold (AND).
    assertThat(m.selectsNamespace(Map.of("env", "prod"))).isTrue();
    assertThat(m.selectsNamespace(Map.of("team", "a"))).isTrue();
    assertThat(m.selectsNamespace(Map.of("team", "a", "legacy", "yes"))).isFalse();
    assertThat(m.selectsNamespace(Map.of("team", "c"))).isFalse();
    assertThat(MeshConfig.DEFAULT.selectsNamespace(Map.of())).isTrue();
  }

  @Test
  void anUnquotedOffWhichYamlReadsAsFalseIsOff() {
    assertThat(MeshConfigDecoder.decode("ingressControllerMode: OFF").config().get())
        .extracting(MeshConfig::ingressControllerMode)
        .isEqualTo(MeshConfig.IngressControllerMode.OFF);
  }

  @Test
  void theDiscoveryAddressDefaultFollowsTheRootNamespace() {
    assertThat(
            MeshConfigDecoder.decode("rootNamespace: mesh-root").config().get().discoveryAddress())
        .isEqualTo("istiod.mesh-root.svc:15012");
  }

  static Stream<Arguments> invalid() {
    return Stream.of(
        Arguments.of(
            "outboundTrafficPolicy: {mode: SOMETIMES}",
            "mesh config: outboundTrafficPolicy.mode: unknown value \"SOMETIMES\" (want ALLOW_ANY"
                + " or REGISTRY_ONLY)"),
        Arguments.of(
            "outboundTrafficPolicy: REGISTRY_ONLY",
            "mesh config: outboundTrafficPolicy: must be a map, got \"REGISTRY_ONLY\""),
        Arguments.of("connectTimeout: 10", "mesh config: connectTimeout: must be a string, got 10"),
        Arguments.of(
            "connectTimeout: soon",
            "mesh config: connectTimeout: invalid duration \"soon\": invalid duration \"soon\""),
        Arguments.of(
            "connectTimeout: 100us",
            "mesh config: connectTimeout: duration \"100us\" must be at least 1ms"),
        Arguments.of(
            "enableAutoMtls: \"yes\"",
            "mesh config: enableAutoMtls: must be true or false, got \"yes\""),
        Arguments.of(
            "rootNamespace: Istio_System",
            "mesh config: rootNamespace: invalid value \"Istio_System\" (want a lower-case DNS"
                + " name)"),
        Arguments.of(
            "trustDomain: \"\"",
            "mesh config: trustDomain: invalid value \"\" (want a lower-case DNS name)"),
        Arguments.of(
            "ingressControllerMode: SOMETIMES",
            "mesh config: ingressControllerMode: unknown value \"SOMETIMES\" (want OFF, DEFAULT"
                + " or STRICT)"),
        Arguments.of(
            "discoverySelectors: {env: prod}",
            "mesh config: discoverySelectors: must be a list, got a map"),
        Arguments.of(
            "discoverySelectors: [{matchExpressions: [{key: env, operator: Has}]}]",
            "mesh config: discoverySelectors[0].matchExpressions[0].operator: unknown value"
                + " \"Has\" (want In, NotIn, Exists or DoesNotExist)"),
        Arguments.of(
            "discoverySelectors: [{matchExpressions: [{key: env, operator: In}]}]",
            "mesh config: discoverySelectors[0].matchExpressions[0].values: must not be empty for"
                + " operator In"),
        Arguments.of(
            "discoverySelectors: [{matchExpressions: [{key: env, operator: Exists, values: [a]}]}]",
            "mesh config: discoverySelectors[0].matchExpressions[0].values: must be empty for"
                + " operator Exists"),
        Arguments.of(
            "discoverySelectors: [{matchExpressions: [{operator: Exists}]}]",
            "mesh config: discoverySelectors[0].matchExpressions[0].key: is required"),
        Arguments.of(
            "discoverySelectors: [{matchLabels: {env: [a]}}]",
            "mesh config: discoverySelectors[0].matchLabels.env: must be a string, got a list"),
        Arguments.of("defaultConfig: []", "mesh config: defaultConfig: must be a map, got a list"),
        Arguments.of("- a\n- b", "mesh config: must be a map, got a list"));
  }

  @ParameterizedTest
  @MethodSource("invalid")
  void aBadValueIsAnErrorNamingTheFieldAndValue(String yaml, String message) {
    MeshConfigDecoder.Result r = MeshConfigDecoder.decode(yaml);
    assertThat(r.config()).isEmpty();
    assertThat(r.errors()).containsExactly(message);
  }

  @Test
  void brokenYamlIsAnError() {
    MeshConfigDecoder.Result r = MeshConfigDecoder.decode("outboundTrafficPolicy: [mode");
    assertThat(r.config()).isEmpty();
    assertThat(r.errors()).singleElement().asString().startsWith("mesh config: invalid YAML: ");
  }

  @Test
  void unknownAndUnsupportedFieldsAreWarningsNotErrors() {
    MeshConfigDecoder.Result r =
        MeshConfigDecoder.decode(
            """
            outboundTrafficPolicy: {mode: REGISTRY_ONLY, egressProxy: {host: egress}, extra: 1}
            meshMTLS: {minProtocolVersion: TLSV1_3}
            accessLogFile: /dev/stdout
            frobnicate: true
            defaultConfig: {proxyMetadata: {}, warpDrive: 9}
            discoverySelectors: [{matchLabels: {a: b}, matchFields: {}}]
            """);
    assertThat(r.errors()).isEmpty();
    assertThat(r.config().get().outboundTrafficPolicy())
        .isEqualTo(MeshConfig.OutboundTrafficPolicy.REGISTRY_ONLY);
    assertThat(r.warnings())
        .containsExactly(
            "mesh config: outboundTrafficPolicy.egressProxy: is not supported yet; ignored",
            "mesh config: outboundTrafficPolicy.extra: unknown field; ignored",
            "mesh config: meshMTLS: is not supported yet; ignored",
            "mesh config: frobnicate: unknown field; ignored",
            "mesh config: defaultConfig.warpDrive: unknown field; ignored",
            "mesh config: discoverySelectors[0].matchFields: unknown field; ignored");
  }

  @Test
  void everyErrorOfOneConfigIsReported() {
    MeshConfigDecoder.Result r =
        MeshConfigDecoder.decode("enableAutoMtls: 1\nconnectTimeout: 0s\n");
    assertThat(r.errors())
        .containsExactly(
            "mesh config: enableAutoMtls: must be true or false, got 1",
            "mesh config: connectTimeout: duration \"0s\" must be at least 1ms");
  }

  @Test
  void localityLbSettingIsReadAndCheckedLikeADestinationRules() {
    MeshConfigDecoder.Result ok =
        MeshConfigDecoder.decode(
            "localityLbSetting: {enabled: true, failover: [{from: us-east, to: eu-west}]}");
    assertThat(ok.errors()).isEmpty();
    assertThat(ok.warnings()).isEmpty();
    assertThat(ok.config().get().localityLbSetting().failover())
        .containsExactly(
            new dev.meshctl.crds.networking.DestinationRule.Failover("us-east", "eu-west"));
    assertThat(MeshConfigDecoder.decode("{}").config().get().localityLbSetting())
        .isEqualTo(MeshConfig.DEFAULT_LOCALITY_LB);

    MeshConfigDecoder.Result bad =
        MeshConfigDecoder.decode("localityLbSetting: {distribute: [{from: a, to: {a: 50}}]}");
    assertThat(bad.config()).isEmpty();
    assertThat(bad.errors())
        .containsExactly(
            "mesh config: localityLbSetting.distribute[0].to: weights must sum to 100, got 50");

    MeshConfigDecoder.Result typo = MeshConfigDecoder.decode("localityLbSetting: {enable: false}");
    assertThat(typo.config()).isEmpty();
    assertThat(typo.errors())
        .singleElement()
        .asString()
        .startsWith("mesh config: localityLbSetting.enable: unknown field");
  }

  @Test
  void defaultsForWhatResourcesLeaveUnsetAreReadAndCheckedLikeTheResourcesTheyDefault() {
    MeshConfigDecoder.Result ok =
        MeshConfigDecoder.decode(
            """
            defaultHttpRetryPolicy: {attempts: 1, perTryTimeout: 2s}
            h2UpgradePolicy: UPGRADE
            defaultTrafficPolicy: {outlierDetection: {consecutive5xxErrors: 3}}
            defaultServiceExportTo: ["."]
            defaultVirtualServiceExportTo: ["*"]
            defaultDestinationRuleExportTo: [istio-system, "."]
            tcpKeepalive: {time: 10s}
            dnsRefreshRate: 20s
            protocolDetectionTimeout: 0s
            """);
    assertThat(ok.errors()).isEmpty();
    assertThat(ok.warnings()).isEmpty();
    var d = ok.config().get().defaults();
    assertThat(d.defaultHttpRetryPolicy().attempts()).isEqualTo(1);
    assertThat(d.h2Upgrade()).isTrue();
    assertThat(d.outlierDetection().consecutive5xxErrors()).isEqualTo(3);
    assertThat(d.serviceExportTo()).containsExactly(".");
    assertThat(d.destinationRuleExportTo()).containsExactly("istio-system", ".");
    assertThat(d.tcpKeepalive().time()).isEqualTo(java.time.Duration.ofSeconds(10));
    assertThat(d.dnsRefreshRate()).isEqualTo(java.time.Duration.ofSeconds(20));
    assertThat(d.protocolDetectionTimeout()).isEqualTo(java.time.Duration.ZERO);

    MeshConfigDecoder.Result bad =
        MeshConfigDecoder.decode(
            """
            defaultHttpRetryPolicy: {attempts: -1}
            h2UpgradePolicy: SOMETIMES
            defaultTrafficPolicy: {outlierDetection: {maxEjectionPercent: 101}, tls: {}}
            defaultServiceExportTo: [Bad_NS]
            dnsRefreshRate: 0s
            """);
    assertThat(bad.config()).isEmpty();
    assertThat(bad.errors())
        .containsExactly(
            "mesh config: defaultHttpRetryPolicy.attempts: must be >= 0, got -1",
            "mesh config: h2UpgradePolicy: unknown value \"SOMETIMES\" (want DO_NOT_UPGRADE or"
                + " UPGRADE)",
            "mesh config: defaultTrafficPolicy.outlierDetection.maxEjectionPercent: must be in"
                + " 0..100, got 101",
            "mesh config: defaultServiceExportTo[0]: must be \".\", \"*\", \"~\" or a namespace,"
                + " got \"Bad_NS\"",
            "mesh config: dnsRefreshRate: duration \"0s\" must be at least 1ms");
    assertThat(bad.warnings())
        .containsExactly("mesh config: defaultTrafficPolicy.tls: unknown field; ignored");
  }
}
