package dev.meshctl.crds;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** Finds Istio's conformance YAML files (system property {@code conformance.dir}). */
public final class Conformance {
  private Conformance() {}

  /** The conformance directory; skips the calling test when it is missing. */
  public static Path dir() {
    String d = System.getProperty("conformance.dir", "../../shared/conformance");
    Path p = Path.of(d);
    assumeTrue(Files.isDirectory(p), "conformance data missing at " + p.toAbsolutePath());
    return p;
  }

  /** Every YAML file with Istio networking documents, relative paths sorted. */
  public static List<Path> networkingFiles() {
    Path root = dir();
    try (Stream<Path> tests = Files.walk(root.resolve("config/tests/testdata"));
        Stream<Path> bookinfo = Files.list(root.resolve("samples/bookinfo/networking"));
        Stream<Path> samples =
            Stream.of("samples/httpbin", "samples/sleep", "samples/curl")
                .map(root::resolve)
                .flatMap(Conformance::walk)) {
      return Stream.of(tests, bookinfo, samples)
          .flatMap(s -> s)
          .filter(p -> p.toString().endsWith(".yaml"))
          .filter(p -> read(p).contains("networking.istio.io"))
          .map(root::relativize)
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Every YAML file with {@code security.istio.io} documents: istiod's test configs, the samples
   * and the RBAC builder inputs ({@code authz/}), relative paths sorted.
   */
  public static List<Path> securityFiles() {
    Path root = dir();
    return Stream.of("config/tests/testdata", "samples", "authz")
        .map(root::resolve)
        .flatMap(Conformance::walk)
        .filter(p -> p.toString().endsWith(".yaml"))
        .filter(p -> read(p).contains("security.istio.io"))
        .map(root::relativize)
        .sorted()
        .toList();
  }

  private static Stream<Path> walk(Path p) {
    try {
      return Files.walk(p).toList().stream();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The text of a file. */
  public static String read(Path p) {
    try {
      return Files.readString(p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
