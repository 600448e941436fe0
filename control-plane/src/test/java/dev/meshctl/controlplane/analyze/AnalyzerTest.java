package dev.meshctl.controlplane.analyze;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A table of broken inputs on top of a small, clean mesh: each gives exactly the listed output
 * lines. Plus the rules around the table: ordering, hosts not checked without a registry, file
 * level findings, the summary.
 */
class AnalyzerTest {
  /** Two Services, the reviews subsets and a gateway: analyzes clean on its own. */
  private static final String MESH =
      """
      apiVersion: v1
      kind: Service
      metadata: {name: reviews, namespace: default}
      spec:
        selector: {app: reviews}
        ports: [{name: http, port: 9080}]
      ---
      apiVersion: v1
      kind: Service
      metadata: {name: ratings, namespace: default}
      spec:
        selector: {app: ratings}
        ports: [{name: grpc-api, port: 9090}, {name: metrics, port: 15020, appProtocol: http}]
      ---
      apiVersion: networking.istio.io/v1
      kind: DestinationRule
      metadata: {name: reviews, namespace: default}
      spec:
        host: reviews
        subsets:
        - {name: v1, labels: {version: v1}}
        - {name: v2, labels: {version: v2}}
      ---
      apiVersion: networking.istio.io/v1beta1
      kind: Gateway
      metadata: {name: bookinfo-gateway, namespace: default}
      spec:
        selector: {istio: ingressgateway}
        servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: ["*"]}]
      """;

  private static final String VS = "apiVersion: networking.istio.io/v1\nkind: VirtualService\n";

  private static List<String> analyze(String caseYaml) {
    return Analyzer.analyze(
            List.of(AnalysisInput.of("mesh.yaml", MESH), AnalysisInput.of("case.yaml", caseYaml)))
        .lines();
  }

  static List<Arguments> cases() {
    List<Arguments> c = new ArrayList<>();
    c.add(
        Arguments.of(
            "typo'd subset",
            VS
                + "metadata: {name: reviews}\n"
                + "spec: {hosts: [reviews], http: [{route: [{destination: {host: reviews, subset:"
                + " v11}}]}]}",
            List.of(
                "case.yaml:0 VirtualService default/reviews:"
                    + " spec.http[0].route[0].destination.subset: referenced host+subset in"
                    + " destinationrule not found: \"reviews+v11\" (IST0101)")));
    c.add(
        Arguments.of(
            "subset of a host without any DestinationRule",
            VS
                + "metadata: {name: ratings}\n"
                + "spec: {hosts: [ratings], tcp: [{route: [{destination: {host: ratings, subset:"
                + " v1}}]}]}",
            List.of(
                "case.yaml:0 VirtualService default/ratings:"
                    + " spec.tcp[0].route[0].destination.subset: referenced host+subset in"
                    + " destinationrule not found: \"ratings+v1\" (IST0101)")));
    c.add(
        Arguments.of(
            "unknown gateways; mesh and known ones (short or namespaced) are fine",
            VS
                + "metadata: {name: front}\n"
                + "spec: {hosts: [front.example.com], gateways: [mesh, bookinfo-gateway, bookinfo-gw,"
                + " default/bookinfo-gateway, istio-system/bookinfo-gateway],"
                + " http: [{route: [{destination: {host: reviews}}]}]}",
            List.of(
                "case.yaml:0 VirtualService default/front: spec.gateways[2]: referenced gateway"
                    + " not found: \"bookinfo-gw\" (IST0101)",
                "case.yaml:0 VirtualService default/front: spec.gateways[4]: referenced gateway"
                    + " not found: \"istio-system/bookinfo-gateway\" (IST0101)")));
    c.add(
        Arguments.of(
            "a missing delegate and one hidden by exportTo; a visible delegate is fine",
            VS
                + "metadata: {name: root}\n"
                + "spec: {hosts: [root.example.com], http: [{delegate: {name: gone}},"
                + " {delegate: {name: hidden, namespace: other}}, {delegate: {name: shown}}]}\n"
                + "---\n"
                + VS
                + "metadata: {name: hidden, namespace: other}\n"
                + "spec: {exportTo: ['.'], http: [{route: [{destination: {host: reviews.default.svc.cluster.local}}]}]}\n"
                + "---\n"
                + VS
                + "metadata: {name: shown}\n"
                + "spec: {http: [{route: [{destination: {host: reviews}}]}]}",
            List.of(
                "case.yaml:0 VirtualService default/root: spec.http[0].delegate: referenced"
                    + " delegate VirtualService not found: \"default/gone\" (IST0101)",
                "case.yaml:0 VirtualService default/root: spec.http[1].delegate: referenced"
                    + " delegate VirtualService not exported to namespace default:"
                    + " \"other/hidden\" (IST0101)")));
    c.add(
        Arguments.of(
            "unknown destination and mirror hosts, with a subset on the unknown host",
            VS
                + "metadata: {name: reviews}\n"
                + "spec:\n  hosts: [reviews]\n  http:\n"
                + "  - route: [{destination: {host: reviewz, subset: v1}}]\n"
                + "    mirror: {host: shadow}\n"
                + "  - mirrors: [{destination: {host: reviews}}, {destination: {host: shadow2}}]\n"
                + "    route: [{destination: {host: reviews.default.svc.cluster.local}}]",
            List.of(
                "case.yaml:0 VirtualService default/reviews:"
                    + " spec.http[0].route[0].destination.host: referenced host not found:"
                    + " \"reviewz\" (IST0101)",
                "case.yaml:0 VirtualService default/reviews:"
                    + " spec.http[0].route[0].destination.subset: referenced host+subset in"
                    + " destinationrule not found: \"reviewz+v1\" (IST0101)",
                "case.yaml:0 VirtualService default/reviews: spec.http[0].mirror.host: referenced"
                    + " mirror host not found: \"shadow\" (IST0101)",
                "case.yaml:0 VirtualService default/reviews:"
                    + " spec.http[1].mirrors[1].destination.host: referenced mirror host not"
                    + " found: \"shadow2\" (IST0101)")));
    c.add(
        Arguments.of(
            "short names resolve in the referring namespace",
            VS
                + "metadata: {name: reviews, namespace: prod}\n"
                + "spec: {hosts: [reviews.default.svc.cluster.local], http: ["
                + "{route: [{destination: {host: reviews}}]},"
                + " {route: [{destination: {host: reviews.default.svc.cluster.local, subset: v2}}]},"
                + " {route: [{destination: {host: reviews.default}}]}]}",
            List.of(
                "case.yaml:0 VirtualService prod/reviews: spec.http[0].route[0].destination.host:"
                    + " referenced host not found: \"reviews\" (IST0101)",
                "case.yaml:0 VirtualService prod/reviews: spec.http[2].route[0].destination.host:"
                    + " referenced host not found: \"reviews.default\" (IST0101)")));
    c.add(
        Arguments.of(
            "ServiceEntry hosts, exact and wildcard, are destinations",
            "apiVersion: networking.istio.io/v1\nkind: ServiceEntry\n"
                + "metadata: {name: ext}\n"
                + "spec: {hosts: [api.example.com, \"*.googleapis.com\"], location: MESH_EXTERNAL,"
                + " ports: [{number: 443, name: tls, protocol: TLS}], resolution: NONE}\n---\n"
                + VS
                + "metadata: {name: ext}\n"
                + "spec:\n  hosts: [api.example.com]\n  tls:\n"
                + "  - match: [{sniHosts: [api.example.com]}]\n"
                + "    route: [{destination: {host: api.example.com}}]\n"
                + "  - match: [{sniHosts: [api.example.com]}]\n"
                + "    route: [{destination: {host: storage.googleapis.com}}]\n"
                + "  - match: [{sniHosts: [api.example.com]}]\n"
                + "    route: [{destination: {host: api.example.org}}]",
            List.of(
                "case.yaml:1 VirtualService default/ext: spec.tls[2].route[0].destination.host:"
                    + " referenced host not found: \"api.example.org\" (IST0101)")));
    c.add(
        Arguments.of(
            "an unknown field: the decoder's error, and the object takes no part in references",
            VS
                + "metadata: {name: reviews}\n"
                + "spec: {hosts: [reviews], http: [{rout: [{destination: {host: nowhere}}]}]}",
            List.of(
                "case.yaml:0 VirtualService default/reviews: spec.http[0].rout: unknown field"
                    + " (did you mean \"route\"?)")));
    c.add(
        Arguments.of(
            "validation errors and warnings, in the validator's order",
            VS
                + "metadata: {name: reviews}\n"
                + "spec: {hosts: [reviews], http: [{route: [{destination: {host: reviews},"
                + " weight: -3}, {destination: {host: reviews}, weight: 5}],"
                + " mirror: {host: reviews}, mirror_percent: 50}]}",
            List.of(
                "case.yaml:0 VirtualService default/reviews: spec.http[0].route[0].weight: must"
                    + " be >= 0, got -3",
                "case.yaml:0 warning: VirtualService default/reviews:"
                    + " spec.http[0].mirrorPercent: deprecated, use mirrorPercentage")));
    c.add(
        Arguments.of(
            "a YAML syntax error loses only its own document",
            VS
                + "metadata: {name: ok}\n"
                + "spec: {hosts: [reviews], http: [{route: [{destination: {host: nowhere}}]}]}\n"
                + "---\n"
                + "kind: Service\nmetadata: {name: [broken\n",
            List.of(
                "case.yaml:0 VirtualService default/ok: spec.http[0].route[0].destination.host:"
                    + " referenced host not found: \"nowhere\" (IST0101)",
                "case.yaml:1 document: invalid YAML: while parsing a flow sequence in 'reader',"
                    + " line 3, column 18: metadata: {name: [broken ^ expected ',' or ']', but got"
                    + " <stream end> in 'reader', line 5, column 1: ^ (document line 3, column 25)")));
    c.add(
        Arguments.of(
            "two mesh VirtualServices claim one host: both are told, each at its host",
            VS
                + "metadata: {name: a}\nspec: {hosts: [reviews], http: [{route: [{destination:"
                + " {host: reviews}}]}]}\n---\n"
                + VS
                + "metadata: {name: b}\nspec: {hosts: [ratings, reviews.default.svc.cluster.local],"
                + " gateways: [mesh], http: [{route: [{destination: {host: reviews}}]}]}\n---\n"
                + VS
                + "metadata: {name: c}\nspec: {hosts: [reviews], exportTo: [\".\"],"
                + " http: [{route: [{destination: {host: reviews}}]}]}\n---\n"
                + VS
                + "metadata: {name: edge}\nspec: {hosts: [reviews], gateways: [bookinfo-gateway],"
                + " http: [{route: [{destination: {host: reviews}}]}]}",
            List.of(
                "case.yaml:0 VirtualService default/a: spec.hosts[0]: VirtualServices default/a,"
                    + " default/b bound to the mesh gateway claim the same host"
                    + " reviews.default.svc.cluster.local, so which one routes it is undefined;"
                    + " merge them into one VirtualService (IST0109)",
                "case.yaml:1 VirtualService default/b: spec.hosts[1]: VirtualServices default/a,"
                    + " default/b bound to the mesh gateway claim the same host"
                    + " reviews.default.svc.cluster.local, so which one routes it is undefined;"
                    + " merge them into one VirtualService (IST0109)")));
    c.add(
        Arguments.of(
            "a DestinationRule for a host nothing declares, and wildcard rules",
            "apiVersion: networking.istio.io/v1\nkind: DestinationRule\n"
                + "metadata: {name: gone}\nspec: {host: gone}\n---\n"
                + "apiVersion: networking.istio.io/v1\nkind: DestinationRule\n"
                + "metadata: {name: all-default}\nspec: {host: \"*.default.svc.cluster.local\","
                + " subsets: [{name: canary, labels: {track: canary}}]}\n---\n"
                + "apiVersion: networking.istio.io/v1\nkind: DestinationRule\n"
                + "metadata: {name: all-example}\nspec: {host: \"*.example.com\"}\n---\n"
                + VS
                + "metadata: {name: ratings}\nspec: {hosts: [ratings], http: [{route:"
                + " [{destination: {host: ratings, subset: canary}}]}]}",
            List.of(
                "case.yaml:0 warning: DestinationRule default/gone: spec.host: host \"gone\""
                    + " matches no Service or ServiceEntry in the inputs, so this rule applies to"
                    + " no traffic",
                "case.yaml:2 warning: DestinationRule default/all-example: spec.host: host"
                    + " \"*.example.com\" matches no Service or ServiceEntry in the inputs, so"
                    + " this rule applies to no traffic")));
    c.add(
        Arguments.of(
            "Service ports that name no protocol (system namespaces are not checked)",
            "apiVersion: v1\nkind: Service\nmetadata: {name: web}\n"
                + "spec: {ports: [{name: web, port: 80, targetPort: 8080},"
                + " {name: http-alt, port: 81, targetPort: web}, {name: admin, port: 82,"
                + " appProtocol: http}, {name: dns, port: 53, protocol: UDP}]}\n---\n"
                + "apiVersion: v1\nkind: Service\nmetadata: {name: x, namespace: kube-system}\n"
                + "spec: {ports: [{port: 80}]}",
            List.of(
                "case.yaml:0 warning: Service default/web: spec.ports[0].name: port name \"web\""
                    + " (port 80, targetPort 8080) names no protocol and appProtocol is not set, so"
                    + " the protocol is sniffed; name it <protocol>[-<suffix>] (http, http2, grpc,"
                    + " tcp, tls, ...) or set appProtocol (IST0118)")));
    c.add(
        Arguments.of(
            "the same object twice in one file is an error; the first one is used",
            VS
                + "metadata: {name: reviews}\n"
                + "spec: {hosts: [reviews], http: [{route: [{destination: {host: reviews}}]}]}\n"
                + "---\n"
                + VS
                + "metadata: {name: reviews}\n"
                + "spec: {hosts: [reviews], http: [{route: [{destination: {host: reviewz}}]}]}",
            List.of(
                "case.yaml:1 VirtualService default/reviews: is declared again; the declaration"
                    + " at case.yaml:0 is used")));
    c.add(
        Arguments.of(
            "a v1 List of Istio and Kubernetes items is analyzed item by item",
            "apiVersion: v1\nkind: List\nitems:\n"
                + "- apiVersion: networking.istio.io/v1\n  kind: VirtualService\n"
                + "  metadata: {name: l}\n"
                + "  spec: {hosts: [l], http: [{route: [{destination: {host: l}}]}]}\n"
                + "- apiVersion: v1\n  kind: Service\n  metadata: {name: k}\n"
                + "  spec: {ports: [{name: http, port: 70000}]}",
            List.of(
                "case.yaml:0 Service default/k: spec.ports[0].port: must be an integer between 1"
                    + " and 65535, got 70000",
                "case.yaml:0 VirtualService default/l: spec.http[0].route[0].destination.host:"
                    + " referenced host not found: \"l\" (IST0101)")));
    c.add(
        Arguments.of(
            "a document that is not an object",
            "- just\n- a list\n",
            List.of("case.yaml:0 document: must be a Kubernetes object (a map)")));
    c.add(
        Arguments.of(
            "security resources: decode and validation errors, warnings",
            "apiVersion: security.istio.io/v1\nkind: PeerAuthentication\n"
                + "metadata: {name: pa}\n"
                + "spec: {mtls: {mode: STRIKT}}\n"
                + "---\n"
                + "apiVersion: security.istio.io/v1beta1\nkind: AuthorizationPolicy\n"
                + "metadata: {name: deny-get}\n"
                + "spec: {action: DENY, rules: [{to: [{operation: {methods: [GET]}}]}]}\n"
                + "---\n"
                + "apiVersion: security.istio.io/v1\nkind: RequestAuthentication\n"
                + "metadata: {name: jwt}\n"
                + "spec: {jwtRules: [{issuer: i, jwksUri: \"ftp://idp/keys\"}]}\n"
                + "---\n"
                + "apiVersion: security.istio.io/v1alpha3\nkind: AuthorizationPolicy\n"
                + "metadata: {name: old}\n",
            List.of(
                "case.yaml:0 PeerAuthentication default/pa: spec.mtls.mode: unknown value"
                    + " \"STRIKT\", expected one of [UNSET, DISABLE, PERMISSIVE, STRICT]",
                "case.yaml:1 warning: AuthorizationPolicy default/deny-get: spec.rules[0]: this"
                    + " DENY rule uses only HTTP attributes, so it denies all traffic to TCP ports"
                    + " in its scope; name the ports explicitly",
                "case.yaml:2 RequestAuthentication default/jwt: spec.jwtRules[0].jwksUri: must be"
                    + " an http or https URL, got \"ftp://idp/keys\"",
                "case.yaml:2 warning: RequestAuthentication default/jwt: JWT validation is not"
                    + " generated yet: no request gets a request principal, so requestPrincipals"
                    + " and request.auth.* conditions never match",
                "case.yaml:3 AuthorizationPolicy default/old: apiVersion: unsupported version"
                    + " \"security.istio.io/v1alpha3\", expected one of [v1, v1beta1]")));
    c.add(
        Arguments.of(
            "security resources meshctl does not enforce",
            "apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\n"
                + "metadata: {name: ext}\n"
                + "spec: {action: CUSTOM, provider: {name: opa}, rules: [{}]}\n"
                + "---\n"
                + "apiVersion: security.istio.io/v1\nkind: RequestAuthentication\n"
                + "metadata: {name: jwt}\n"
                + "spec: {jwtRules: [{issuer: i, jwksUri: \"https://idp/keys\"}]}\n",
            List.of(
                "case.yaml:0 warning: AuthorizationPolicy default/ext: spec.action: CUSTOM needs an"
                    + " external authorizer, which meshctl does not configure: requests its rules"
                    + " match are denied (fail closed, as Istio does without a usable provider); use"
                    + " ALLOW or DENY rules instead",
                "case.yaml:1 warning: RequestAuthentication default/jwt: JWT validation is not"
                    + " generated yet: no request gets a request principal, so requestPrincipals"
                    + " and request.auth.* conditions never match")));
    return c;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void eachBrokenInputGivesExactlyTheseLines(String name, String yaml, List<String> expected) {
    assertThat(analyze(yaml)).containsExactlyElementsOf(expected);
  }

  @Test
  void theBaseMeshIsClean() {
    AnalysisReport report = Analyzer.analyze(List.of(AnalysisInput.of("mesh.yaml", MESH)));
    assertThat(report.lines()).isEmpty();
    assertThat(report.hostsChecked()).isTrue();
    assertThat(report.summary()).isEqualTo("0 errors, 0 warnings in 1 file");
  }

  @Test
  void withoutAnyServiceOrServiceEntryHostsAreNotCheckedButSubsetsAndGatewaysAre() {
    AnalysisReport report =
        Analyzer.analyze(
            List.of(
                AnalysisInput.of(
                    "vs.yaml",
                    VS
                        + "metadata: {name: r}\nspec: {hosts: [r], gateways: [gw], http:"
                        + " [{route: [{destination: {host: nowhere, subset: v1}}]}]}")));
    assertThat(report.hostsChecked()).isFalse();
    assertThat(report.lines())
        .containsExactly(
            "vs.yaml:0 VirtualService default/r: spec.gateways[0]: referenced gateway not"
                + " found: \"gw\" (IST0101)",
            "vs.yaml:0 VirtualService default/r: spec.http[0].route[0].destination.subset:"
                + " referenced host+subset in destinationrule not found: \"nowhere+v1\""
                + " (IST0101)");
    assertThat(report.summary()).isEqualTo("2 errors, 0 warnings in 1 file");
  }

  @Test
  void gatewayServersThatCannotShareAPortAreReportedOnTheSkippedGateway() {
    String gw =
        """
        ---
        apiVersion: networking.istio.io/v1
        kind: Gateway
        metadata: {name: %s, namespace: %s}
        spec:
          selector: {istio: ingressgateway}
          servers: [{port: {number: 80, name: %s, protocol: %s}, hosts: ["%s"]}]
        """;
    // bookinfo-gateway (default, HTTP on 80, in MESH) is first in (namespace, name) order.
    List<String> lines =
        analyze(
            gw.formatted("tcp-80", "shop", "tcp", "TCP", "*")
                + gw.formatted("more-http", "shop", "http", "HTTP", "shop.example.com"));
    assertThat(lines)
        .containsExactly(
            "case.yaml:0 warning: Gateway shop/tcp-80: spec.servers: conflict on gateway"
                + " workloads labelled {istio=ingressgateway}: gateway shop/tcp-80 server tcp"
                + " (port 80, TCP): protocol TCP conflicts on listener 0.0.0.0_80 (gateway"
                + " default/bookinfo-gateway server http (port 80, HTTP) is there first); server"
                + " skipped (IST0145)");
  }

  @Test
  void aSecondTlsServerForTheSameHostAndPortIsReportedAndOtherSelectorsAreNot() {
    String gw =
        """
        ---
        apiVersion: networking.istio.io/v1
        kind: Gateway
        metadata: {name: %s, namespace: default}
        spec:
          selector: {istio: %s}
          servers:
          - port: {number: 443, name: https, protocol: HTTPS}
            hosts: ["a.example.com"]
            tls: {mode: SIMPLE, credentialName: a-cert}
        """;
    List<String> lines =
        analyze(
            gw.formatted("a", "ingressgateway")
                + gw.formatted("b", "ingressgateway")
                + gw.formatted("c", "other-gateway"));
    assertThat(lines).hasSize(1);
    assertThat(lines.get(0))
        .startsWith("case.yaml:1 warning: Gateway default/b: spec.servers: conflict on gateway")
        .contains(
            ": hosts [a.example.com] on listener 0.0.0.0_443 are already served by gateway"
                + " default/a server https (port 443, HTTPS); server skipped (IST0145)");
  }

  @Test
  void findingsAreSortedByFileThenDocumentWhateverTheInputOrder() {
    String broken = VS + "metadata: {name: x}\nspec: {hosts: [x], http: [{rout: []}]}";
    AnalysisReport report =
        Analyzer.analyze(
            List.of(
                AnalysisInput.of("z.yaml", broken),
                AnalysisInput.of(
                    "a.yaml",
                    "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\n---\n"
                        + broken.replace("name: x", "name: y")),
                AnalysisInput.unreadable("m.yaml", "not UTF-8 text"),
                AnalysisInput.of("a.yaml", "ignored: the same file named twice")));
    assertThat(report.lines())
        .containsExactly(
            "a.yaml:1 VirtualService default/y: spec.http[0].rout: unknown field (did you"
                + " mean \"route\"?)",
            "m.yaml: cannot be read: not UTF-8 text",
            "z.yaml:0 VirtualService default/x: spec.http[0].rout: unknown field (did you"
                + " mean \"route\"?)");
    assertThat(report.summary()).isEqualTo("3 errors, 0 warnings in 3 files");
  }

  @Test
  void theSameObjectInTwoFilesIsAWarningAndTheFirstFileWins() {
    String vs =
        VS
            + "metadata: {name: r}\nspec: {hosts: [reviews], http: [{route: [{destination:"
            + " {host: %s}}]}]}";
    AnalysisReport report =
        Analyzer.analyze(
            List.of(
                AnalysisInput.of("mesh.yaml", MESH),
                AnalysisInput.of("b.yaml", vs.formatted("reviewz")),
                AnalysisInput.of("a.yaml", vs.formatted("reviews"))));
    assertThat(report.lines())
        .containsExactly(
            "b.yaml:0 warning: VirtualService default/r: is declared again; the declaration at"
                + " a.yaml:0 is used");
    assertThat(report.errors()).isZero();
  }
}
