package dev.meshctl.xds.names;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshctl.xds.names.ResourceNames.GrpcServerAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class GrpcServerListenerNameTest {

  @Test
  void buildsAndParsesIpv4AndBracketedIpv6() {
    assertThat(ResourceNames.grpcServerListener("10.0.0.1", 8080))
        .isEqualTo("xds.istio.io/grpc/lds/inbound/10.0.0.1:8080");
    assertThat(ResourceNames.grpcServerListener("::1", 8080))
        .isEqualTo("xds.istio.io/grpc/lds/inbound/[::1]:8080");
    assertThat(ResourceNames.parseGrpcServerListener("xds.istio.io/grpc/lds/inbound/10.0.0.1:8080"))
        .contains(new GrpcServerAddress("10.0.0.1", 8080));
    assertThat(ResourceNames.parseGrpcServerListener("xds.istio.io/grpc/lds/inbound/[::1]:8080"))
        .contains(new GrpcServerAddress("::1", 8080));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "10.0.0.1:8080",
        "xds.istio.io/grpc/lds/inbound/10.0.0.1",
        "xds.istio.io/grpc/lds/inbound/host:8080",
        "xds.istio.io/grpc/lds/inbound/10.0.0.1:x",
        "xds.istio.io/grpc/lds/inbound/10.0.0.1:70000",
        "xds.istio.io/grpc/lds/inbound/"
      })
  void rejectsNamesWithoutPrefixPortOrIpLiteral(String name) {
    assertThat(ResourceNames.parseGrpcServerListener(name)).isEmpty();
  }
}
