package dev.meshctl.crds.schema;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The committed chart CRDs ({@code install/helm/meshctl/crds/crds.yaml}) are exactly what {@link
 * CrdGenerator} produces, so they never drift from the records. {@code -Dgolden.update=true}
 * rewrites the file.
 */
class CrdGoldenTest {
  static final Path FILE = Path.of("install", "helm", "meshctl", "crds", "crds.yaml");

  /** The repository root: surefire runs in the module directory. */
  static Path repoRoot() {
    Path root = Path.of(System.getProperty("user.dir")).toAbsolutePath().getParent();
    assertThat(root.resolve("api-crds").resolve("pom.xml")).exists();
    return root;
  }

  @Test
  void committedCrdsAreWhatTheGeneratorProduces() throws IOException {
    Path file = repoRoot().resolve(FILE);
    String generated = CrdGenerator.yaml();
    if (Boolean.getBoolean("golden.update")) {
      CrdGenerator.main(new String[] {file.toString()});
    }
    assertThat(file).exists();
    String committed = Files.readString(file, StandardCharsets.UTF_8);
    // isEqualTo on 10k lines prints a useless diff; name the first differing line instead.
    assertThat(firstDifference(committed, generated))
        .as("%s differs from CrdGenerator.yaml(); regenerate with -Dgolden.update=true", FILE)
        .isEmpty();
  }

  @Test
  void generationIsDeterministic() {
    assertThat(CrdGenerator.yaml()).isEqualTo(CrdGenerator.yaml());
  }

  @Test
  void differenceIsReported() {
    assertThat(firstDifference("a\nb\nc\n", "a\nx\nc\n"))
        .isEqualTo("line 2: file \"b\", generated \"x\"");
    assertThat(firstDifference("a", "a\nb")).isEqualTo("line 2: file <end>, generated \"b\"");
    assertThat(firstDifference("a\n", "a\n")).isEmpty();
  }

  /** The first line where the two texts differ, or "" when equal. */
  static String firstDifference(String file, String generated) {
    String[] a = file.split("\n", -1);
    String[] b = generated.split("\n", -1);
    for (int i = 0; i < Math.max(a.length, b.length); i++) {
      String x = i < a.length ? "\"" + a[i] + "\"" : "<end>";
      String y = i < b.length ? "\"" + b[i] + "\"" : "<end>";
      if (!x.equals(y)) {
        return "line " + (i + 1) + ": file " + x + ", generated " + y;
      }
    }
    return "";
  }
}
