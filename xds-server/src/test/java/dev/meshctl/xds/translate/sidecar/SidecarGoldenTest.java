package dev.meshctl.xds.translate.sidecar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.protobuf.Message;
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
 * Golden tests: each directory under {@code src/test/resources/golden} is a mesh plus a proxy, and
 * its {@code cds/eds/lds/rds.yaml} are exactly what that proxy must receive. Run with {@code
 * -Dgolden.update=true} to rewrite them, then review the diff: the golden files are the spec.
 */
class SidecarGoldenTest {
  static final Path ROOT = Path.of("src/test/resources/golden");

  static Stream<String> cases() throws IOException {
    try (Stream<Path> dirs = Files.list(ROOT)) {
      List<String> names =
          dirs.filter(d -> Files.exists(d.resolve("input.yaml")))
              // Gateway cases (router proxies) are checked by GatewayGoldenTest.
              .filter(d -> !d.getFileName().toString().startsWith("gateway-"))
              .map(d -> d.getFileName().toString())
              .sorted()
              .toList();
      assertThat(names).as("golden cases under " + ROOT.toAbsolutePath()).isNotEmpty();
      return names.stream();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void matchesGoldenFiles(String name) throws IOException {
    Path dir = ROOT.resolve(name);
    Map<String, String> actual = XdsDump.generate(MeshFixture.load(dir)).printed();
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
  void generationIsDeterministic(String name) {
    Path dir = ROOT.resolve(name);
    // Fresh snapshot and context each time: nothing may depend on hash order or memo state.
    Map<String, String> first = XdsDump.generate(MeshFixture.load(dir)).printed();
    Map<String, String> second = XdsDump.generate(MeshFixture.load(dir)).printed();
    assertThat(second).isEqualTo(first);
    assertThat(first.get("lds")).contains("virtualOutbound");
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
    assertThat(checked).isGreaterThan(5);
    assertThat(violations).isEmpty();
  }
}
