package dev.meshctl.controlplane.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Table cells the Bookinfo end-to-end tests do not reach: TLS matches, TCP proxies, DR names. */
class ProxyConfigTablesTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private static JsonNode json(String s) throws Exception {
    return MAPPER.readTree(s.replace('\'', '"'));
  }

  @Test
  void domainsAreAbbreviatedLikeIstioctl() {
    assertThat(ProxyConfigTables.domains(List.of())).isEmpty();
    assertThat(ProxyConfigTables.domains(List.of("*"))).isEqualTo("*");
    assertThat(
            ProxyConfigTables.domains(
                List.of(
                    "reviews.default.svc.cluster.local",
                    "reviews.default.svc.cluster.local:9080",
                    "reviews",
                    "reviews:9080",
                    "reviews.default.svc",
                    "reviews.default")))
        .isEqualTo("reviews, reviews.default");
  }

  private static final String MATCH =
      "SNI: a.example.com; Trans: tls; App: TCP TLS; Addr: 10.0.0.0/8:443";

  @Test
  void listenerRowsDescribeTlsMatchesAndTcpClusters() throws Exception {
    JsonNode listener =
        json(
            "{'name':'l','address':{'socket_address':{'address':'10.0.0.1','port_value':443}},"
                + "'filter_chains':[{'filter_chain_match':{'server_names':['a.example.com'],"
                + "'transport_protocol':'tls','application_protocols':['istio-peer-exchange','istio'],"
                + "'prefix_ranges':[{'address_prefix':'10.0.0.0','prefix_len':8}],'destination_port':443},"
                + "'filters':[{'name':'envoy.filters.network.tcp_proxy','typed_config':{'@type':"
                + "'type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy',"
                + "'cluster':'outbound|443||a.example.com'}}]}]}");
    assertThat(ProxyConfigTables.listeners(List.of(listener)))
        .isEqualTo(
            "ADDRESSES PORT MATCH"
                + " ".repeat(MATCH.length() - "MATCH".length() + 1)
                + "DESTINATION\n"
                + "10.0.0.1  443  "
                + MATCH
                + " Cluster: outbound|443||a.example.com\n");
  }

  @Test
  void destinationRuleComesFromIstioMetadata() throws Exception {
    assertThat(
            ProxyConfigTables.configOf(
                json(
                    "{'filter_metadata':{'istio':{'config':"
                        + "'/apis/networking.istio.io/v1alpha3/namespaces/default/destination-rule/reviews'}}}")))
        .isEqualTo("reviews.default");
    assertThat(ProxyConfigTables.configOf(json("{}"))).isEmpty();
    assertThat(
            ProxyConfigTables.configOf(
                json("{'filter_metadata':{'istio':{'config':'/other/path'}}}")))
        .isEqualTo("<unknown>");
  }
}
