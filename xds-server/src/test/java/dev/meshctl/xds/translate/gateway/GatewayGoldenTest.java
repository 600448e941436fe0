package dev.meshctl.xds.translate.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.protobuf.Message;
import dev.meshctl.xds.proxy.Proxy;
import dev.meshctl.xds.testing.Goldens;
import dev.meshctl.xds.testing.MeshFixture;
import dev.meshctl.xds.testing.XdsDump;
import dev.meshctl.xds.validate.PgvValidator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Golden tests of gateway proxies: each {@code src/test/resources/golden/gateway-*} directory is a
 * mesh plus a {@code router} proxy, and its {@code cds/eds/lds/rds.yaml} are exactly what the
 * gateway must receive. Refresh with {@code -Dgolden.update=true} and review the diff.
 */
class GatewayGoldenTest {
  static final Path ROOT = Path.of("src/test/resources/golden");

  static Stream<String> cases() throws IOException {
    try (Stream<Path> dirs = Files.list(ROOT)) {
      List<String> names =
          dirs.filter(d -> Files.exists(d.resolve("input.yaml")))
              .map(d -> d.getFileName().toString())
              .filter(n -> n.startsWith("gateway-"))
              .sorted()
              .toList();
      assertThat(names).as("gateway cases under " + ROOT.toAbsolutePath()).hasSizeGreaterThan(6);
      return names.stream();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void matchesGoldenFiles(String name) throws IOException {
    Path dir = ROOT.resolve(name);
    MeshFixture fixture = MeshFixture.load(dir);
    assertThat(fixture.proxy().type()).isEqualTo(Proxy.ProxyType.ROUTER);
    Map<String, String> actual = XdsDump.generate(fixture).printed();
    StringBuilder failures = new StringBuilder();
    for (Map.Entry<String, String> e : actual.entrySet()) {
      failures.append(Goldens.check(dir.resolve(e.getKey() + ".yaml"), e.getValue()));
    }
    if (failures.length() > 0) {
      fail("generated config differs; rerun with -Dgolden.update=true if intended:" + failures);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void generationIsDeterministicAndGatewayShaped(String name) {
    Path dir = ROOT.resolve(name);
    Map<String, String> first = XdsDump.generate(MeshFixture.load(dir)).printed();
    Map<String, String> second = XdsDump.generate(MeshFixture.load(dir)).printed();
    assertThat(second).isEqualTo(first);
    // A gateway has no capture listeners: its listeners bind the Gateway's ports.
    assertThat(first.get("lds")).doesNotContain("virtualOutbound").contains("name: 0.0.0.0_");
  }

  /** Envoy would accept every golden resource: none breaks a protoc-gen-validate rule. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void everyGoldenResourcePassesEnvoysValidationRules(String name) {
    XdsDump dump = XdsDump.generate(MeshFixture.load(ROOT.resolve(name)));
    PgvValidator validator = new PgvValidator();
    List<String> violations = new ArrayList<>();
    int checked = 0;
    for (Map<String, Message> resources :
        List.of(dump.clusters(), dump.endpoints(), dump.listeners(), dump.routes())) {
      for (Map.Entry<String, Message> e : resources.entrySet()) {
        checked++;
        validator.validate(e.getValue()).forEach(v -> violations.add(e.getKey() + ": " + v));
      }
    }
    assertThat(dump.listeners()).isNotEmpty();
    assertThat(checked).isGreaterThan(3);
    assertThat(violations).isEmpty();
  }
}
