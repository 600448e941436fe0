package dev.meshctl.xds.validate;

import static dev.meshctl.xds.validate.EnvoyFixtures.HCM_TYPE;
import static dev.meshctl.xds.validate.EnvoyFixtures.edsCluster;
import static dev.meshctl.xds.validate.EnvoyFixtures.hcm;
import static dev.meshctl.xds.validate.EnvoyFixtures.listener;
import static dev.meshctl.xds.validate.EnvoyFixtures.passthroughCluster;
import static dev.meshctl.xds.validate.EnvoyFixtures.routeConfig;
import static dev.meshctl.xds.validate.EnvoyFixtures.seconds;
import static dev.meshctl.xds.validate.EnvoyFixtures.staticCluster;
import static dev.meshctl.xds.validate.EnvoyFixtures.weightedRoute;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import com.google.protobuf.DoubleValue;
import com.google.protobuf.Duration;
import com.google.protobuf.Message;
import com.google.protobuf.Struct;
import com.google.protobuf.UInt32Value;
import com.google.protobuf.UInt64Value;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.HeaderValue;
import io.envoyproxy.envoy.config.core.v3.HeaderValueOption;
import io.envoyproxy.envoy.config.core.v3.HealthCheck;
import io.envoyproxy.envoy.config.core.v3.KeyValue;
import io.envoyproxy.envoy.config.core.v3.KeyValueAppend;
import io.envoyproxy.envoy.config.core.v3.KeyValueMutation;
import io.envoyproxy.envoy.config.core.v3.Metadata;
import io.envoyproxy.envoy.config.core.v3.RequestMethod;
import io.envoyproxy.envoy.config.core.v3.SchemeHeaderTransformation;
import io.envoyproxy.envoy.config.core.v3.TypedExtensionConfig;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.Endpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.envoyproxy.envoy.config.listener.v3.FilterChainMatch;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.listener.v3.ListenerFilter;
import io.envoyproxy.envoy.config.listener.v3.ListenerFilterChainMatchPredicate;
import io.envoyproxy.envoy.config.route.v3.DirectResponseAction;
import io.envoyproxy.envoy.config.route.v3.InternalRedirectPolicy;
import io.envoyproxy.envoy.config.route.v3.RateLimit;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import io.envoyproxy.envoy.type.v3.Percent;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class PgvValidatorTest {
  private static final PgvValidator VALIDATOR = new PgvValidator();

  private static List<String> violations(Message resource) {
    return VALIDATOR.validate(resource).stream().map(Object::toString).toList();
  }

  @Test
  void realisticResourcesAreValid() {
    assertThat(violations(edsCluster())).isEmpty();
    assertThat(violations(passthroughCluster())).isEmpty();
    assertThat(violations(staticCluster(8080, 9090))).isEmpty();
    assertThat(violations(listener(hcm()))).isEmpty();
    assertThat(violations(routeConfig(weightedRoute().build()))).isEmpty();
  }

  @Test
  void ignoreEmptyAndSkipSuppressChecks() {
    // HitsAddend.format has prefix/suffix "%" with ignore_empty: an empty format passes.
    RateLimit limit =
        RateLimit.newBuilder()
            .setHitsAddend(RateLimit.HitsAddend.newBuilder().setFormat(""))
            .addActions(
                RateLimit.Action.newBuilder()
                    .setGenericKey(
                        RateLimit.Action.GenericKey.newBuilder().setDescriptorValue("x")))
            .build();
    assertThat(violations(limit)).isEmpty();
    // KeyValueAppend.entry has message.skip: its invalid KeyValue (empty key) is not inspected,
    // while the same KeyValue reached through a field without skip is.
    KeyValue emptyKey = KeyValue.newBuilder().setKey("").build();
    assertThat(violations(KeyValueAppend.newBuilder().setEntry(emptyKey).build())).isEmpty();
    assertThat(
            violations(
                KeyValueMutation.newBuilder()
                    .setAppend(KeyValueAppend.newBuilder().setEntry(emptyKey))
                    .build()))
        .isEmpty();
    assertThat(violations(emptyKey))
        .containsExactly("key: value length must be at least 1 characters, got \"\"");
  }

  @Test
  void violationInsideNestedAnyIsReportedWithItsPath() {
    HttpConnectionManager badHcm =
        hcm().toBuilder()
            .setHttpFilters(
                2,
                HttpFilter.newBuilder()
                    .setName("envoy.filters.http.router")
                    .setTypedConfig(
                        Any.pack(Router.newBuilder().addStrictCheckHeaders("x-foo").build())))
            .build();
    assertThat(violations(listener(badHcm)))
        .containsExactly(
            "filter_chains[0].filters[0].typed_config<"
                + HCM_TYPE
                + ">.http_filters[2].typed_config<envoy.extensions.filters.http.router.v3.Router>"
                + ".strict_check_headers[0]: must be in [\"x-envoy-upstream-rq-timeout-ms\","
                + " \"x-envoy-upstream-rq-per-try-timeout-ms\", \"x-envoy-max-retries\","
                + " \"x-envoy-retry-grpc-on\", \"x-envoy-retry-on\"], got \"x-foo\"");
  }

  @Test
  void unknownAndUndecodableAnyAreViolations() {
    HttpConnectionManager unknown =
        hcm().toBuilder()
            .setHttpFilters(
                0,
                HttpFilter.newBuilder()
                    .setName("istio.metadata_exchange")
                    .setTypedConfig(
                        Any.newBuilder().setTypeUrl("type.googleapis.com/istio.mx.Config")))
            .build();
    assertThat(violations(listener(unknown)))
        .containsExactly(
            "filter_chains[0].filters[0].typed_config<"
                + HCM_TYPE
                + ">.http_filters[0].typed_config: unknown type URL"
                + " \"type.googleapis.com/istio.mx.Config\"");
    Any garbage =
        Any.newBuilder()
            .setTypeUrl("type.googleapis.com/" + HCM_TYPE)
            .setValue(ByteString.copyFrom(new byte[] {(byte) 0xff}))
            .build();
    List<String> found =
        violations(
            listener(hcm()).toBuilder()
                .setFilterChains(
                    0,
                    listener(hcm()).getFilterChains(0).toBuilder()
                        .setFilters(
                            0,
                            listener(hcm()).getFilterChains(0).getFilters(0).toBuilder()
                                .setTypedConfig(garbage)))
                .build());
    assertThat(found).hasSize(1);
    assertThat(found.get(0))
        .startsWith(
            "filter_chains[0].filters[0].typed_config: cannot decode \"type.googleapis.com/"
                + HCM_TYPE
                + "\": ");
  }

  @Test
  void validationIsRepeatableAndReusesPlans() {
    Cluster bad = edsCluster().toBuilder().setConnectTimeout(seconds(0)).build();
    List<String> first = violations(bad);
    assertThat(violations(bad))
        .isEqualTo(first)
        .containsExactly("connect_timeout: must be > 0s, got 0s");
    assertThat(VALIDATOR.plan(Cluster.getDescriptor()))
        .isSameAs(VALIDATOR.plan(Cluster.getDescriptor()));
  }

  @Test
  void concurrentCallsOnAFreshValidatorAgree() throws Exception {
    PgvValidator fresh = new PgvValidator();
    List<Message> resources =
        invalidResources().map(a -> (Message) a.get()[1]).collect(Collectors.toList());
    List<List<ResourceValidator.Violation>> expected =
        resources.stream().map(VALIDATOR::validate).toList();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<Boolean>> results = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        results.add(
            pool.submit(
                () -> {
                  for (int i = 0; i < resources.size(); i++) {
                    if (!fresh.validate(resources.get(i)).equals(expected.get(i))) {
                      return false;
                    }
                  }
                  return true;
                }));
      }
      for (Future<Boolean> result : results) {
        assertThat(result.get(30, TimeUnit.SECONDS)).isTrue();
      }
    } finally {
      pool.shutdownNow();
    }
  }

  static Stream<Arguments> invalidResources() {
    Cluster eds = edsCluster();
    Route route = weightedRoute().build();
    return Stream.of(
        invalid(
            "uint32.lte",
            staticCluster(8080, 70000),
            "load_assignment.endpoints[0].lb_endpoints[1].endpoint.address.socket_address.port_value:"
                + " must be <= 65535, got 70000"),
        invalid(
            "string.min_len",
            ClusterLoadAssignment.newBuilder().setClusterName("").build(),
            "cluster_name: value length must be at least 1 characters, got \"\""),
        invalid(
            "duration.gt",
            eds.toBuilder().setConnectTimeout(Duration.newBuilder().setNanos(0)).build(),
            "connect_timeout: must be > 0s, got 0s"),
        invalid(
            "enum.defined_only",
            eds.toBuilder().setTypeValue(99).build(),
            "type: enum value 99 is not defined"),
        invalid(
            "message.required",
            routeConfig(route.toBuilder().clearMatch().build()),
            "virtual_hosts[0].routes[0].match: is required"),
        invalid(
            "oneof required",
            staticCluster(8080).toBuilder()
                .setLoadAssignment(
                    ClusterLoadAssignment.newBuilder()
                        .setClusterName("c")
                        .addEndpoints(
                            LocalityLbEndpoints.newBuilder()
                                .addLbEndpoints(
                                    LbEndpoint.newBuilder()
                                        .setEndpoint(
                                            Endpoint.newBuilder()
                                                .setAddress(
                                                    io.envoyproxy.envoy.config.core.v3.Address
                                                        .getDefaultInstance())))))
                .build(),
            "load_assignment.endpoints[0].lb_endpoints[0].endpoint.address.address:"
                + " exactly one of [socket_address, pipe, envoy_internal_address] is required"),
        invalid(
            "repeated.min_items",
            routeConfig(route).toBuilder()
                .setVirtualHosts(
                    0, routeConfig(route).getVirtualHosts(0).toBuilder().clearDomains())
                .build(),
            "virtual_hosts[0].domains: must contain at least 1 item, got 0"),
        invalid(
            "repeated.max_items",
            TcpProxy.newBuilder()
                .setStatPrefix("tcp")
                .setCluster("c")
                .addHashPolicy(io.envoyproxy.envoy.type.v3.HashPolicy.getDefaultInstance())
                .addHashPolicy(io.envoyproxy.envoy.type.v3.HashPolicy.getDefaultInstance())
                .build(),
            "hash_policy: must contain at most 1 item, got 2",
            "hash_policy[0].policy_specifier: exactly one of [source_ip, filter_state] is required",
            "hash_policy[1].policy_specifier: exactly one of [source_ip, filter_state] is required"),
        invalid(
            "repeated.items.uint32 gte/lte",
            listener(hcm()).toBuilder()
                .setFilterChains(
                    0,
                    listener(hcm()).getFilterChains(0).toBuilder()
                        .setFilterChainMatch(
                            FilterChainMatch.newBuilder().addSourcePorts(80).addSourcePorts(0)))
                .build(),
            "filter_chains[0].filter_chain_match.source_ports[1]: must be >= 1, got 0"),
        invalid(
            "string.pattern (RE2)",
            routeConfig(
                route.toBuilder()
                    .setMatch(RouteMatch.newBuilder().setPathSeparatedPrefix("/api/"))
                    .build()),
            "virtual_hosts[0].routes[0].match.path_separated_prefix:"
                + " must match regex \"^[^?#]+[^?#/]$\", got \"/api/\""),
        invalid(
            "string.prefix and suffix",
            RateLimit.newBuilder()
                .setHitsAddend(RateLimit.HitsAddend.newBuilder().setFormat("hits"))
                .build(),
            "hits_addend.format: must start with \"%\", got \"hits\"",
            "hits_addend.format: must end with \"%\", got \"hits\"",
            "actions: must contain at least 1 item, got 0"),
        invalid(
            "string.well_known_regex HTTP_HEADER_NAME (loose)",
            HeaderValueOption.newBuilder()
                .setHeader(HeaderValue.newBuilder().setKey("x-bad\nname").setValue("v"))
                .build(),
            "header.key: must be a valid HTTP header name, got \"x-bad\\nname\""),
        invalid(
            "string.well_known_regex HTTP_HEADER_VALUE (strict)",
            HealthCheck.HttpHealthCheck.newBuilder()
                .setPath("/healthz")
                .setHost("a\u0001b")
                .build(),
            "host: must be a valid HTTP header value, got \"a\\x01b\""),
        invalid(
            "uint32 gt on wrapper",
            hcm().toBuilder().setMaxRequestHeadersKb(UInt32Value.of(0)).build(),
            "max_request_headers_kb: must be > 0, got 0"),
        invalid(
            "double range",
            eds.toBuilder()
                .setCommonLbConfig(
                    Cluster.CommonLbConfig.newBuilder()
                        .setHealthyPanicThreshold(Percent.newBuilder().setValue(150)))
                .build(),
            "common_lb_config.healthy_panic_threshold.value: must be <= 100.0, got 150.0"),
        invalid(
            "double gte on DoubleValue wrapper",
            eds.toBuilder()
                .setPreconnectPolicy(
                    Cluster.PreconnectPolicy.newBuilder()
                        .setPerUpstreamPreconnectRatio(DoubleValue.of(0.5)))
                .build(),
            "preconnect_policy.per_upstream_preconnect_ratio: must be >= 1.0, got 0.5"),
        invalid(
            "uint64 lte on wrapper",
            eds.toBuilder()
                .setRingHashLbConfig(
                    Cluster.RingHashLbConfig.newBuilder()
                        .setMinimumRingSize(UInt64Value.of(10_000_000)))
                .build(),
            "ring_hash_lb_config.minimum_ring_size: must be <= 8388608, got 10000000"),
        invalid(
            "duration.required and message.required on wrapper",
            eds.toBuilder()
                .addHealthChecks(
                    HealthCheck.newBuilder()
                        .setInterval(seconds(5))
                        .setHealthyThreshold(UInt32Value.of(1))
                        .setTcpHealthCheck(HealthCheck.TcpHealthCheck.getDefaultInstance()))
                .build(),
            "health_checks[0].timeout: is required",
            "health_checks[0].unhealthy_threshold: is required"),
        invalid(
            "duration.gte with sub-second bound",
            hcm().toBuilder()
                .setAccessLogFlushInterval(Duration.newBuilder().setNanos(500_000))
                .build(),
            "access_log_flush_interval: must be >= 0.001s, got 0.0005s"),
        invalid(
            "any.required",
            eds.toBuilder()
                .setTypedDnsResolverConfig(
                    TypedExtensionConfig.newBuilder().setName("envoy.network.dns_resolver.cares"))
                .build(),
            "typed_dns_resolver_config.typed_config: is required"),
        invalid(
            "map.keys.string.min_len",
            eds.toBuilder()
                .setMetadata(
                    Metadata.newBuilder().putFilterMetadata("", Struct.getDefaultInstance()))
                .build(),
            "metadata.filter_metadata[\"\"]: map key: value length must be at least 1 characters,"
                + " got \"\""),
        invalid(
            "repeated.unique",
            routeConfig(
                weightedRoute()
                    .setRoute(
                        weightedRoute().getRoute().toBuilder()
                            .setInternalRedirectPolicy(
                                InternalRedirectPolicy.newBuilder()
                                    .addResponseHeadersToCopy("x-a")
                                    .addResponseHeadersToCopy("x-b")
                                    .addResponseHeadersToCopy("x-a")))
                    .build()),
            "virtual_hosts[0].routes[0].route.internal_redirect_policy.response_headers_to_copy:"
                + " items must be unique, got \"x-a\" again at [2]"),
        invalid(
            "enum.not_in",
            HealthCheck.HttpHealthCheck.newBuilder()
                .setPath("/healthz")
                .setMethod(RequestMethod.CONNECT)
                .build(),
            "method: must not be in [6], got 6"),
        invalid(
            "uint32.lt and gte",
            routeConfig(
                weightedRoute()
                    .clearRoute()
                    .setDirectResponse(DirectResponseAction.newBuilder().setStatus(700))
                    .build()),
            "virtual_hosts[0].routes[0].direct_response.status: must be < 600, got 700"),
        invalid(
            "bytes.max_len",
            HeaderValue.newBuilder()
                .setKey("x-a")
                .setRawValue(ByteString.copyFrom(new byte[16385]))
                .build(),
            "raw_value: value length must be at most 16384 bytes, got 16385 bytes"),
        invalid(
            "string.in",
            hcm().toBuilder()
                .setSchemeHeaderTransformation(
                    SchemeHeaderTransformation.newBuilder().setSchemeToOverwrite("ftp"))
                .build(),
            "scheme_header_transformation.scheme_to_overwrite: must be in [\"http\", \"https\"],"
                + " got \"ftp\""),
        invalid(
            "string.max_bytes inside a packed transport socket",
            eds.toBuilder()
                .setTransportSocket(
                    eds.getTransportSocket().toBuilder()
                        .setTypedConfig(
                            Any.pack(
                                UpstreamTlsContext.newBuilder().setSni("a".repeat(256)).build())))
                .build(),
            "transport_socket.typed_config<envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext>"
                + ".sni: value length must be at most 255 bytes, got 256 bytes"),
        invalid(
            "bool.const",
            Listener.newBuilder()
                .setName("l")
                .addListenerFilters(
                    ListenerFilter.newBuilder()
                        .setName("f")
                        .setFilterDisabled(
                            ListenerFilterChainMatchPredicate.newBuilder().setAnyMatch(false)))
                .build(),
            "listener_filters[0].filter_disabled.any_match: must equal true, got false"),
        invalid(
            "map.min_pairs",
            com.github.xds.type.matcher.v3.Matcher.MatcherTree.MatchMap.getDefaultInstance(),
            "map: must contain at least 1 pair, got 0"),
        invalid(
            "repeated.items.string.min_len",
            RouteConfiguration.newBuilder()
                .addVirtualHosts(
                    VirtualHost.newBuilder()
                        .setName("vh")
                        .addDomains("*")
                        .addRequestHeadersToRemove(""))
                .build(),
            "virtual_hosts[0].request_headers_to_remove[0]: value length must be at least 1"
                + " characters, got \"\""));
  }

  private static Arguments invalid(String rule, Message resource, String... expected) {
    return Arguments.of(rule, resource, List.of(expected));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidResources")
  void reportsEachBrokenRuleWithPathAndValue(String rule, Message resource, List<String> expected) {
    assertThat(violations(resource)).containsExactlyInAnyOrderElementsOf(expected);
  }
}
