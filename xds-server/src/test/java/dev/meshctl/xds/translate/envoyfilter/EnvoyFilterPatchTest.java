package dev.meshctl.xds.translate.envoyfilter;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.google.protobuf.Message;
import dev.meshctl.xds.model.ConfigKey;
import dev.meshctl.xds.model.ConfigKind;
import dev.meshctl.xds.model.MeshSnapshot;
import dev.meshctl.xds.model.decode.Decoded;
import dev.meshctl.xds.model.decode.KubeDecoder;
import dev.meshctl.xds.proxy.Proxy;
import dev.meshctl.xds.testing.MeshFixture;
import dev.meshctl.xds.translate.Subscription;
import dev.meshctl.xds.translate.XdsType;
import dev.meshctl.xds.translate.deps.ConfigImpact;
import dev.meshctl.xds.validate.PgvValidator;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import org.junit.jupiter.api.Test;

/**
 * EnvoyFilter patches on the config generated for a sidecar: each applyTo and operation Istio users
 * rely on, which workloads a filter selects, the order of several filters, and that a patch Envoy
 * would reject is skipped whole while the others still apply. Every case compares against the
 * config generated without the filter, so an ignored patch fails.
 */
class EnvoyFilterPatchTest {
  static final String WORLD =
      """
      apiVersion: v1
      kind: Service
      metadata: {name: web, namespace: shop}
      spec: {clusterIP: 10.96.0.1, selector: {app: web}, ports: [{name: http, port: 8080}]}
      ---
      apiVersion: v1
      kind: Service
      metadata: {name: db, namespace: shop}
      spec: {clusterIP: 10.96.0.3, selector: {app: db}, ports: [{name: tcp, port: 5432}]}
      ---
      apiVersion: v1
      kind: Pod
      metadata: {name: client, namespace: shop, labels: {app: client}}
      spec: {containers: [{name: c}]}
      status: {podIP: 10.0.0.5}
      """;

  static final String WEB = "outbound|8080||web.shop.svc.cluster.local";

  static String filter(String ns, String name, String spec) {
    return "\n---\napiVersion: networking.istio.io/v1alpha3\nkind: EnvoyFilter\nmetadata: {name: "
        + name
        + ", namespace: "
        + ns
        + "}\nspec:\n"
        + spec.indent(2);
  }

  static Proxy proxy(String labels, String version, boolean grpc) {
    return MeshFixture.proxy(
        """
        id: sidecar~10.0.0.5~client.shop~shop.svc.cluster.local
        metadata: {NAMESPACE: shop, LABELS: %s, ISTIO_VERSION: "%s"%s}
        """
            .formatted(labels, version, grpc ? ", GENERATOR: grpc" : ""));
  }

  static final Proxy CLIENT = proxy("{app: client}", "1.30.1", false);

  static SortedMap<String, Message> gen(String yaml, XdsType type) {
    return gen(yaml, type, CLIENT);
  }

  static SortedMap<String, Message> gen(String yaml, XdsType type, Proxy p) {
    Subscription s =
        type == XdsType.ROUTE ? Subscription.names(Set.of("8080", "9999")) : Subscription.WILDCARD;
    return MeshFixture.generate(MeshFixture.snapshot(yaml), p, type, s);
  }

  static List<String> httpFilters(Listener l) throws Exception {
    for (var chain : l.getFilterChainsList()) {
      for (Filter f : chain.getFiltersList()) {
        if (f.getTypedConfig().is(HttpConnectionManager.class)) {
          return f
              .getTypedConfig()
              .unpack(HttpConnectionManager.class)
              .getHttpFiltersList()
              .stream()
              .map(HttpFilter::getName)
              .toList();
        }
      }
    }
    return List.of();
  }

  static final String LUA_BEFORE_ROUTER =
      """
      workloadSelector: {labels: {app: client}}
      configPatches:
      - applyTo: HTTP_FILTER
        match:
          context: SIDECAR_OUTBOUND
          listener:
            portNumber: 8080
            filterChain:
              filter:
                name: envoy.filters.network.http_connection_manager
                subFilter: {name: envoy.filters.http.router}
        patch:
          operation: INSERT_BEFORE
          value:
            name: envoy.filters.http.lua
            typed_config:
              "@type": type.googleapis.com/envoy.extensions.filters.http.lua.v3.Lua
              inlineCode: "function envoy_on_request(h) end"
      """;

  @Test
  void anHttpFilterGoesBeforeTheRouterOnTheMatchedListenerOnly() throws Exception {
    SortedMap<String, Message> plain = gen(WORLD, XdsType.LISTENER);
    SortedMap<String, Message> lds =
        gen(WORLD + filter("shop", "lua", LUA_BEFORE_ROUTER), XdsType.LISTENER);
    List<String> before = httpFilters((Listener) plain.get("0.0.0.0_8080"));
    List<String> after = httpFilters((Listener) lds.get("0.0.0.0_8080"));
    assertThat(after).hasSize(before.size() + 1);
    assertThat(after.subList(after.size() - 2, after.size()))
        .containsExactly("envoy.filters.http.lua", "envoy.filters.http.router");
    // Inbound (context SIDECAR_OUTBOUND excludes it) and other listeners are untouched.
    assertThat(lds.get("virtualInbound")).isEqualTo(plain.get("virtualInbound"));
    assertThat(lds.get("10.96.0.3_5432")).isEqualTo(plain.get("10.96.0.3_5432"));
    assertValid(lds);
  }

  @Test
  void theWorkloadSelectorTheRootNamespaceAndTheProxyVersionDecideWhoIsPatched() {
    String other = LUA_BEFORE_ROUTER.replace("app: client", "app: other");
    assertThat(gen(WORLD + filter("shop", "lua", other), XdsType.LISTENER))
        .isEqualTo(gen(WORLD, XdsType.LISTENER));
    // Root namespace (istio-system by default): a selector there selects in every namespace.
    assertThat(gen(WORLD + filter("istio-system", "lua", LUA_BEFORE_ROUTER), XdsType.LISTENER))
        .isNotEqualTo(gen(WORLD, XdsType.LISTENER));
    // Another namespace's filter selects nobody here.
    assertThat(gen(WORLD + filter("elsewhere", "lua", LUA_BEFORE_ROUTER), XdsType.LISTENER))
        .isEqualTo(gen(WORLD, XdsType.LISTENER));
    String versioned =
        LUA_BEFORE_ROUTER.replace(
            "context: SIDECAR_OUTBOUND",
            "context: SIDECAR_OUTBOUND\n    proxy: {proxyVersion: '^1\\.29.*'}");
    assertThat(gen(WORLD + filter("shop", "lua", versioned), XdsType.LISTENER))
        .isEqualTo(gen(WORLD, XdsType.LISTENER));
    assertThat(
            gen(
                WORLD + filter("shop", "lua", versioned),
                XdsType.LISTENER,
                proxy("{app: client}", "1.29.3", false)))
        .isNotEqualTo(gen(WORLD, XdsType.LISTENER, proxy("{app: client}", "1.29.3", false)));
    // Proxyless gRPC clients are never patched.
    Proxy grpc = proxy("{app: client}", "1.30.1", true);
    assertThat(gen(WORLD + filter("shop", "lua", LUA_BEFORE_ROUTER), XdsType.CLUSTER, grpc))
        .isEqualTo(gen(WORLD, XdsType.CLUSTER, grpc));
  }

  @Test
  void clustersAreMergedRemovedAndAdded() {
    String spec =
        """
        configPatches:
        - applyTo: CLUSTER
          match: {context: SIDECAR_OUTBOUND, cluster: {service: web.shop.svc.cluster.local, portNumber: 8080}}
          patch: {operation: MERGE, value: {connect_timeout: 3s, circuit_breakers: {thresholds: [{max_connections: 7}]}}}
        - applyTo: CLUSTER
          match: {cluster: {name: "outbound|5432||db.shop.svc.cluster.local"}}
          patch: {operation: REMOVE}
        - applyTo: CLUSTER
          patch:
            operation: ADD
            value: {name: extra, type: STATIC, connect_timeout: 1s, load_assignment: {cluster_name: extra}}
        """;
    SortedMap<String, Message> cds = gen(WORLD + filter("shop", "c", spec), XdsType.CLUSTER);
    Cluster web = (Cluster) cds.get(WEB);
    assertThat(web.getConnectTimeout().getSeconds()).isEqualTo(3);
    // Lists append on MERGE: the generated thresholds stay, the patch's follow.
    assertThat(web.getCircuitBreakers().getThresholdsList()).hasSize(2);
    assertThat(web.getCircuitBreakers().getThresholds(1).getMaxConnections().getValue())
        .isEqualTo(7);
    assertThat(cds)
        .doesNotContainKey("outbound|5432||db.shop.svc.cluster.local")
        .containsKey("extra");
    assertValid(cds);
  }

  @Test
  void aPatchEnvoyWouldRejectIsSkippedWholeAndTheOthersStillApply() {
    String spec =
        """
        configPatches:
        - applyTo: CLUSTER
          match: {cluster: {service: web.shop.svc.cluster.local}}
          patch: {operation: MERGE, value: {connect_timeout: 4s}}
        - applyTo: CLUSTER
          match: {cluster: {service: web.shop.svc.cluster.local}}
          patch: {operation: MERGE, value: {connect_timeout: -1s, per_connection_buffer_limit_bytes: 9}}
        """;
    Cluster web = (Cluster) gen(WORLD + filter("shop", "c", spec), XdsType.CLUSTER).get(WEB);
    // Envoy requires connect_timeout > 0: the second patch goes whole (its buffer limit too), and
    // the first stays. (A value that does not read as a Cluster is refused earlier, at decode.)
    assertThat(web.getConnectTimeout().getSeconds()).isEqualTo(4);
    assertThat(web.hasPerConnectionBufferLimitBytes()).isFalse();
  }

  @Test
  void aMergeOfATypedConfigMergesTheUnpackedMessage() throws Exception {
    String spec =
        """
        configPatches:
        - applyTo: NETWORK_FILTER
          match:
            listener:
              portNumber: 8080
              filterChain: {filter: {name: envoy.filters.network.http_connection_manager}}
          patch:
            operation: MERGE
            value:
              typed_config:
                "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
                server_name: meshctl-test
        """;
    Listener l =
        (Listener) gen(WORLD + filter("shop", "hcm", spec), XdsType.LISTENER).get("0.0.0.0_8080");
    Filter hcm = l.getFilterChains(0).getFilters(0);
    HttpConnectionManager unpacked = hcm.getTypedConfig().unpack(HttpConnectionManager.class);
    assertThat(unpacked.getServerName()).isEqualTo("meshctl-test");
    // The rest of the generated manager survives the merge.
    assertThat(unpacked.getHttpFiltersList()).isNotEmpty();
    assertThat(unpacked.getRds().getRouteConfigName()).isEqualTo("8080");
  }

  @Test
  void virtualHostsAndRoutesArePatchedInTheMatchedRouteConfiguration() {
    String spec =
        """
        configPatches:
        - applyTo: VIRTUAL_HOST
          match: {routeConfiguration: {portNumber: 8080}}
          patch: {operation: ADD, value: {name: "extra:8080", domains: [extra.example.com], routes: [{match: {prefix: /}, direct_response: {status: 418}}]}}
        - applyTo: HTTP_ROUTE
          match: {routeConfiguration: {vhost: {name: "web.shop.svc.cluster.local:8080", route: {name: default}}}}
          patch: {operation: MERGE, value: {route: {timeout: 7s}}}
        """;
    RouteConfiguration rc =
        (RouteConfiguration) gen(WORLD + filter("shop", "r", spec), XdsType.ROUTE).get("8080");
    assertThat(rc.getVirtualHostsList()).extracting(VirtualHost::getName).contains("extra:8080");
    VirtualHost web =
        rc.getVirtualHostsList().stream()
            .filter(v -> v.getName().equals("web.shop.svc.cluster.local:8080"))
            .findFirst()
            .orElseThrow();
    assertThat(web.getRoutes(0).getRoute().getTimeout().getSeconds()).isEqualTo(7);
    assertValid(Map.of("8080", rc));
  }

  @Test
  void aChangeReachesTheProxiesOfItsNamespaceOnlyAndTheRootNamespacesReachesAll() {
    MeshSnapshot before = MeshFixture.snapshot(WORLD);
    MeshSnapshot after = MeshFixture.snapshot(WORLD + filter("shop", "lua", LUA_BEFORE_ROUTER));
    ConfigImpact impact =
        ConfigImpact.of(
            before, after, List.of(ConfigKey.of(ConfigKind.ENVOY_FILTER, "shop", "lua")));
    assertThat(impact.reaches(CLIENT)).isTrue();
    Proxy elsewhere =
        MeshFixture.proxy(
            "id: sidecar~10.0.0.9~x.other~other.svc.cluster.local\nmetadata: {NAMESPACE: other}");
    assertThat(impact.reaches(elsewhere)).isFalse();
    ConfigImpact root =
        ConfigImpact.of(
            before,
            MeshFixture.snapshot(WORLD + filter("istio-system", "lua", LUA_BEFORE_ROUTER)),
            List.of(ConfigKey.of(ConfigKind.ENVOY_FILTER, "istio-system", "lua")));
    assertThat(root.reaches(elsewhere)).isTrue();
  }

  @Test
  void valuesAreCheckedAgainstEnvoysTypesWhenTheFilterIsRead() throws Exception {
    Decoded bad =
        decodeOne(
            """
            configPatches:
            - applyTo: CLUSTER
              patch: {operation: ADD, value: {name: x, connect_timeout: soon}}
            """);
    assertThat(bad).isInstanceOf(Decoded.Invalid.class);
    assertThat(((Decoded.Invalid) bad).errors())
        .anySatisfy(
            m ->
                assertThat(m)
                    .startsWith(
                        "spec.configPatches[0].patch.value: does not read as"
                            + " envoy.config.cluster.v3.Cluster: "));
    // Unknown fields are ignored when applied, as in Istio, and said so.
    Decoded lenient =
        decodeOne(
            """
            configPatches:
            - applyTo: CLUSTER
              patch: {operation: ADD, value: {name: x, connect_timeout: 1s, colour: red}}
            """);
    assertThat(lenient).isInstanceOf(Decoded.Ok.class);
    assertThat(((Decoded.Ok) lenient).warnings())
        .anySatisfy(
            w -> assertThat(w).contains("spec.configPatches[0].patch.value: ignored when applied"));
  }

  private static Decoded decodeOne(String spec) throws Exception {
    String yaml = filter("shop", "f", spec).substring(5); // without the leading "\n---\n"
    return KubeDecoder.decode(new YAMLMapper().readTree(yaml)).get(0);
  }

  /** The httpbin gateway golden's mesh, with {@code extra} added to its inputs. */
  private static SortedMap<String, Message> gateway(String extra) throws Exception {
    java.nio.file.Path dir = java.nio.file.Path.of("src/test/resources/golden/gateway-httpbin");
    MeshFixture base = MeshFixture.load(dir);
    List<dev.meshctl.xds.model.ConfigObject> objects =
        new java.util.ArrayList<>(MeshFixture.caseInput(dir).objects());
    objects.addAll(MeshFixture.objects(extra, "test"));
    MeshSnapshot s = MeshSnapshot.build(base.snapshot().mesh(), objects);
    return MeshFixture.generate(s, base.proxy(), XdsType.LISTENER, Subscription.WILDCARD);
  }

  @Test
  void gatewayPatchesReachGatewaysOnlyAndListenerFiltersCanBeAdded() throws Exception {
    String lua =
        LUA_BEFORE_ROUTER.replace(
            "workloadSelector: {labels: {app: client}}",
            "workloadSelector: {labels: {istio: ingressgateway}}");
    SortedMap<String, Message> plain = gateway("");
    SortedMap<String, Message> outboundOnly = gateway(filter("istio-system", "lua", lua));
    assertThat(outboundOnly)
        .as("context SIDECAR_OUTBOUND does not reach a gateway")
        .isEqualTo(plain);
    SortedMap<String, Message> patched =
        gateway(filter("istio-system", "lua", lua.replace("SIDECAR_OUTBOUND", "GATEWAY")));
    assertThat(httpFilters((Listener) patched.get("0.0.0.0_8080")))
        .containsSubsequence("envoy.filters.http.lua", "envoy.filters.http.router");
    String proxyProtocol =
        """
        workloadSelector: {labels: {istio: ingressgateway}}
        configPatches:
        - applyTo: LISTENER_FILTER
          match: {context: GATEWAY, listener: {portNumber: 8080}}
          patch:
            operation: INSERT_FIRST
            value:
              name: envoy.filters.listener.proxy_protocol
              typed_config:
                "@type": type.googleapis.com/envoy.extensions.filters.listener.proxy_protocol.v3.ProxyProtocol
        """;
    Listener l =
        (Listener) gateway(filter("istio-system", "pp", proxyProtocol)).get("0.0.0.0_8080");
    assertThat(l.getListenerFilters(0).getName())
        .isEqualTo("envoy.filters.listener.proxy_protocol");
    assertValid(Map.of("0.0.0.0_8080", l));
  }

  @Test
  void inboundRoutesInlineInListenersArePatchedInTheInboundContext() throws Exception {
    String served =
        """
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: client, namespace: shop}
        spec: {clusterIP: 10.96.0.9, selector: {app: client}, ports: [{name: http, port: 9080}]}
        ---
        apiVersion: discovery.k8s.io/v1
        kind: EndpointSlice
        metadata: {name: client-1, namespace: shop, labels: {kubernetes.io/service-name: client}}
        addressType: IPv4
        ports: [{name: http, port: 9080}]
        endpoints:
        - addresses: [10.0.0.5]
          conditions: {ready: true}
          targetRef: {kind: Pod, namespace: shop, name: client}
        """;
    String patch =
        """
        configPatches:
        - applyTo: HTTP_ROUTE
          match: {context: SIDECAR_INBOUND, routeConfiguration: {portNumber: 9080}}
          patch: {operation: MERGE, value: {route: {timeout: 9s}}}
        """;
    Listener inbound =
        (Listener)
            gen(WORLD + served + filter("shop", "in", patch), XdsType.LISTENER)
                .get("virtualInbound");
    List<Long> timeouts = new java.util.ArrayList<>();
    for (var chain : inbound.getFilterChainsList()) {
      for (Filter f : chain.getFiltersList()) {
        if (f.getTypedConfig().is(HttpConnectionManager.class)) {
          var hcm = f.getTypedConfig().unpack(HttpConnectionManager.class);
          if (hcm.getRouteConfig().getName().equals("inbound|9080||")) {
            hcm.getRouteConfig()
                .getVirtualHostsList()
                .forEach(
                    v ->
                        v.getRoutesList()
                            .forEach(r -> timeouts.add(r.getRoute().getTimeout().getSeconds())));
          }
        }
      }
    }
    assertThat(timeouts).isNotEmpty().containsOnly(9L);
    // The outbound context leaves inbound routes alone.
    assertThat(
            gen(
                    WORLD
                        + served
                        + filter(
                            "shop", "in", patch.replace("SIDECAR_INBOUND", "SIDECAR_OUTBOUND")),
                    XdsType.LISTENER)
                .get("virtualInbound"))
        .isEqualTo(gen(WORLD + served, XdsType.LISTENER).get("virtualInbound"));
  }

  /**
   * Istio's Bookinfo rate-limit sample ({@code
   * samples/bookinfo/policy/productpage_envoy_ratelimit}) on the Bookinfo ingress gateway,
   * unmodified: the rate-limit filter right before the router, the added {@code
   * rate_limit_cluster}, and the rate limits merged into every virtual host, all valid for Envoy.
   */
  @Test
  void istiosBookinfoRateLimitSampleAppliesToTheIngressGateway() throws Exception {
    java.nio.file.Path conformance =
        java.nio.file.Path.of(System.getProperty("conformance.dir", "../../shared/conformance"));
    java.nio.file.Path sample =
        conformance.resolve("samples/bookinfo/policy/productpage_envoy_ratelimit.yaml");
    org.junit.jupiter.api.Assumptions.assumeTrue(
        java.nio.file.Files.exists(sample), "conformance data at " + sample);
    java.nio.file.Path dir = java.nio.file.Path.of("src/test/resources/golden/gateway-bookinfo");
    MeshFixture base = MeshFixture.load(dir);
    List<dev.meshctl.xds.model.ConfigObject> objects =
        new java.util.ArrayList<>(MeshFixture.caseInput(dir).objects());
    objects.addAll(MeshFixture.objects(java.nio.file.Files.readString(sample), "sample"));
    MeshSnapshot s = MeshSnapshot.build(base.snapshot().mesh(), objects);
    Proxy gw = base.proxy();

    SortedMap<String, Message> lds =
        MeshFixture.generate(s, gw, XdsType.LISTENER, Subscription.WILDCARD);
    Listener http = (Listener) lds.get("0.0.0.0_8080");
    List<String> filters = httpFilters(http);
    assertThat(filters.subList(filters.size() - 2, filters.size()))
        .containsExactly("envoy.ratelimit", "envoy.filters.http.router");
    SortedMap<String, Message> cds =
        MeshFixture.generate(s, gw, XdsType.CLUSTER, Subscription.WILDCARD);
    assertThat(cds).containsKey("rate_limit_cluster");
    SortedMap<String, Message> rds =
        MeshFixture.generate(
            s,
            gw,
            XdsType.ROUTE,
            Subscription.names(dev.meshctl.xds.testing.XdsDump.rdsNames(lds)));
    assertThat(rds).isNotEmpty();
    for (Message m : rds.values()) {
      for (VirtualHost v : ((RouteConfiguration) m).getVirtualHostsList()) {
        if (v.getRoutesCount() > 0) {
          assertThat(v.getRateLimitsList()).as(v.getName()).hasSize(1);
          assertThat(v.getRateLimits(0).getActions(0).getRequestHeaders().getDescriptorKey())
              .isEqualTo("PATH");
        }
      }
    }
    assertValid(lds);
    assertValid(cds);
    assertValid(rds);
    // And the sample itself loads without errors (only the warnings every EnvoyFilter gets).
    assertThat(MeshFixture.decode(java.nio.file.Files.readString(sample)).errors()).isEmpty();
  }

  private static void assertValid(Map<String, ? extends Message> resources) {
    PgvValidator v = new PgvValidator();
    resources.forEach((k, m) -> assertThat(v.validate(m)).as(k).isEmpty());
  }
}
