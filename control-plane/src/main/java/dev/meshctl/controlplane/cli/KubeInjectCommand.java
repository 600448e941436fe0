package dev.meshctl.controlplane.cli;

import dev.meshctl.injector.InjectionConfig;
import dev.meshctl.injector.InjectionConfigLoader;
import dev.meshctl.injector.KubeInject;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code meshctl kube-inject -f app.yaml}: prints the manifests with the Istio sidecar injected
 * into every workload, offline, like {@code istioctl kube-inject}. Skipped workloads are reported
 * on stderr. Exit 0 on success, 1 when a file cannot be read or a manifest is malformed (the
 * message names the document and field), 2 on usage errors. Picocli fills the fields on the main
 * thread; one instance serves one invocation.
 */
@Command(
    name = "kube-inject",
    description = "Inject the Istio sidecar into Kubernetes manifests (offline).",
    mixinStandardHelpOptions = true)
final class KubeInjectCommand implements Callable<Integer> {
  private final PrintWriter out;
  private final PrintWriter err;

  @Option(
      names = {"-f", "--filename"},
      required = true,
      paramLabel = "FILE",
      description = "Manifests to inject (multi-document YAML); - reads stdin.")
  private String filename;

  @Option(
      names = {"-o", "--output"},
      paramLabel = "FILE",
      description = "Write the result to FILE instead of stdout.")
  private Path output;

  @Option(
      names = "--injectConfigMapFile",
      paramLabel = "FILE",
      description =
          "An istio-sidecar-injector ConfigMap (data.values and data.config) to take settings"
              + " from.")
  private Path configMapFile;

  @Option(
      names = "--valuesFile",
      paramLabel = "FILE",
      description = "Helm values (global.hub, global.tag, global.proxy.*, revision, ...).")
  private Path valuesFile;

  @Option(
      names = "--revision",
      paramLabel = "REV",
      description = "Control plane revision to inject for (default: the default revision).")
  private String revision;

  KubeInjectCommand(PrintWriter out, PrintWriter err) {
    this.out = out;
    this.err = err;
  }

  @Override
  public Integer call() {
    try {
      InjectionConfig config = InjectionConfig.defaults();
      if (configMapFile != null) {
        config = InjectionConfigLoader.fromConfigMap(read(configMapFile), config);
      }
      if (valuesFile != null) {
        config = InjectionConfigLoader.fromValues(read(valuesFile), config);
      }
      if (revision != null) {
        config =
            config.toBuilder()
                .revision(revision)
                .discoveryAddress(
                    "istiod"
                        + (revision.isEmpty() ? "" : "-" + revision)
                        + "."
                        + config.istioNamespace()
                        + ".svc:15012")
                .build();
      }
      String input =
          filename.equals("-")
              ? new String(System.in.readAllBytes(), StandardCharsets.UTF_8)
              : read(Path.of(filename));
      KubeInject.Result result = KubeInject.inject(input, config);
      result.warnings().forEach(err::println);
      if (output != null) {
        Files.writeString(output, result.yaml());
      } else {
        out.print(result.yaml());
      }
      return CommandLine.ExitCode.OK;
    } catch (IOException e) {
      err.println("meshctl kube-inject: " + e.getMessage());
      return CommandLine.ExitCode.SOFTWARE;
    } catch (IllegalArgumentException e) {
      err.println("meshctl kube-inject: " + e.getMessage());
      return CommandLine.ExitCode.SOFTWARE;
    } finally {
      out.flush();
      err.flush();
    }
  }

  private static String read(Path p) throws IOException {
    try {
      return Files.readString(p);
    } catch (java.nio.file.NoSuchFileException e) {
      throw new IOException("no such file: " + p, e);
    }
  }
}
