package dev.meshctl.xds.print;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Any;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.extensions.filters.http.lua.v3.Lua;
import io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProtoYamlTest {

  @Test
  void printsProtoFieldNamesInDeclarationOrderAndExpandsAny() {
    Listener l =
        Listener.newBuilder()
            .setName("l")
            .addFilterChains(
                FilterChain.newBuilder()
                    .addFilters(
                        Filter.newBuilder()
                            .setName("tcp")
                            .setTypedConfig(
                                Any.pack(
                                    TcpProxy.newBuilder()
                                        .setStatPrefix("s")
                                        .setCluster("c")
                                        .build()))))
            .build();
    assertThat(ProtoYaml.print(l))
        .isEqualTo(
            """
            name: l
            filter_chains:
              - filters:
                  - name: tcp
                    typed_config:
                      '@type': type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy
                      stat_prefix: s
                      cluster: c
            """);
  }

  @Test
  void numericLookingStringsStayStrings() {
    assertThat(ProtoYaml.print(RouteConfiguration.newBuilder().setName("9080").build()))
        .isEqualTo("name: \"9080\"\n");
  }

  @Test
  void separatesDocumentsInTheGivenOrder() {
    assertThat(
            ProtoYaml.printAll(
                List.of(
                    Cluster.newBuilder().setName("b").build(),
                    Cluster.newBuilder().setName("a").build())))
        .isEqualTo("name: b\n---\nname: a\n");
  }

  @Test
  void anAnyOfATypeWeNeverPackIsPrintedByEnvoysClassNaming() {
    // An EnvoyFilter can bring any Envoy type (here Lua); it must print, not fail.
    Cluster c =
        Cluster.newBuilder()
            .setName("x")
            .putTypedExtensionProtocolOptions(
                "k",
                Any.pack(
                    Lua.newBuilder()
                        .setDefaultSourceCode(DataSource.newBuilder().setInlineString("x"))
                        .build()))
            .build();
    assertThat(ProtoYaml.print(c))
        .contains("'@type': type.googleapis.com/envoy.extensions.filters.http.lua.v3.Lua")
        .contains("inline_string: x");
  }

  @Test
  void anAnyOfAnUnknownTypeFailsLoudly() {
    Cluster c =
        Cluster.newBuilder()
            .setName("x")
            .putTypedExtensionProtocolOptions(
                "k",
                Any.newBuilder()
                    .setTypeUrl("type.googleapis.com/example.NoSuchType")
                    .setValue(com.google.protobuf.ByteString.copyFromUtf8("?"))
                    .build())
            .build();
    assertThatThrownBy(() -> ProtoYaml.print(c))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("cannot print envoy.config.cluster.v3.Cluster: ");
  }
}
