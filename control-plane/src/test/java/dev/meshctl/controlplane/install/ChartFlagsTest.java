package dev.meshctl.controlplane.install;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.meshctl.controlplane.ControlPlane;
import dev.meshctl.controlplane.cli.LogLevel;
import dev.meshctl.controlplane.cli.Main;
import dev.meshctl.controlplane.cli.ServeCommand;
import dev.meshctl.controlplane.source.kube.KubernetesSource;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.Constructor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The control plane container's arguments are flags {@code meshctl serve} declares (read from
 * picocli's model of {@link ServeCommand}), written as the chart promises, with the port values the
 * Service and probes use; and the real CLI accepts them and turns them into the settings the values
 * asked for.
 */
class ChartFlagsTest {
  private static final Map<String, OptionSpec> DECLARED = declared();

  private static Map<String, OptionSpec> declared() {
    // ServeCommand's constructor is package-private and it injects its @Spec, so picocli needs
    // an instance; the server is never called.
    ServeCommand command;
    try {
      Constructor<ServeCommand> ctor =
          ServeCommand.class.getDeclaredConstructor(
              ServeCommand.Server.class, PrintWriter.class, PrintWriter.class);
      ctor.setAccessible(true);
      PrintWriter sink = new PrintWriter(new StringWriter());
      command = ctor.newInstance(null, sink, sink);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot build meshctl serve's model", e);
    }
    Map<String, OptionSpec> out = new HashMap<>();
    for (OptionSpec o : new CommandLine(command).getCommandSpec().options()) {
      for (String name : o.names()) {
        out.put(name, o);
      }
    }
    return out;
  }

  /** The flags of the args after {@code serve}: name to value (null for a bare boolean flag). */
  static Map<String, String> flags(List<String> args) {
    assertThat(args).isNotEmpty();
    assertThat(args.get(0)).isEqualTo("serve");
    Map<String, String> out = new LinkedHashMap<>();
    for (String arg : args.subList(1, args.size())) {
      assertThat(arg).as("every argument is a --flag").startsWith("--");
      int eq = arg.indexOf('=');
      String name = eq < 0 ? arg : arg.substring(0, eq);
      String value = eq < 0 ? null : arg.substring(eq + 1);
      assertThat(out).as("%s is given once", name).doesNotContainKey(name);
      out.put(name, value);
    }
    return out;
  }

  @Test
  void everyArgumentIsAServeFlagWrittenAsItsArityRequires() {
    for (RenderedChart chart :
        List.of(
            RenderedChart.render(InstallChartTest.DEFAULT_NS),
            RenderedChart.renderNonDefault(InstallChartTest.CUSTOM_NS))) {
      Map<String, String> flags = flags(chart.istiodArgs());
      assertThat(flags).containsKeys("--kube", "--xds-port", "--monitoring-port", "--namespace");
      for (Map.Entry<String, String> f : flags.entrySet()) {
        OptionSpec option = DECLARED.get(f.getKey());
        assertThat(option)
            .as("%s is not a flag of meshctl serve (%s)", f.getKey(), DECLARED.keySet())
            .isNotNull();
        if (option.arity().max == 0) {
          assertThat(f.getValue()).as("%s takes no value", f.getKey()).isNull();
        } else {
          assertThat(f.getValue()).as("%s takes a value", f.getKey()).isNotBlank();
        }
      }
      assertThat(flags.get("--namespace")).isEqualTo(chart.namespace());
    }
  }

  @Test
  void portFlagsAreThePortsTheServiceAndProbeUse() {
    RenderedChart chart = RenderedChart.render(InstallChartTest.DEFAULT_NS);
    Map<String, String> flags = flags(chart.istiodArgs());
    JsonNode service = chart.get("Service", "istiod");
    Map<String, Integer> targets = RenderedChart.ports(service.at("/spec/ports"), "targetPort");
    Map<String, Integer> container =
        RenderedChart.ports(chart.container("istiod", "discovery").path("ports"), "containerPort");

    Map<String, String> flagOfServicePort =
        Map.of(
            "grpc-xds", "--xds-port",
            "https-dns", "--secure-xds-port",
            "http-monitoring", "--monitoring-port",
            "https-webhook", "--webhook-port");
    assertThat(targets.keySet()).containsExactlyInAnyOrderElementsOf(flagOfServicePort.keySet());
    for (Map.Entry<String, String> e : flagOfServicePort.entrySet()) {
      int port = Integer.parseInt(flags.get(e.getValue()));
      assertThat(targets.get(e.getKey())).as("Service port %s", e.getKey()).isEqualTo(port);
      assertThat(container).as("container port for %s", e.getValue()).containsValue(port);
    }
    int readiness =
        chart.container("istiod", "discovery").at("/readinessProbe/httpGet/port").asInt();
    assertThat(readiness).isEqualTo(Integer.parseInt(flags.get("--monitoring-port")));
  }

  @Test
  void injectorValuesIsTheManifestKeyOfTheMountedInjectorConfigMap() {
    RenderedChart chart = RenderedChart.render(InstallChartTest.DEFAULT_NS);
    String file = flags(chart.istiodArgs()).get("--injector-values");
    Map<String, String> files = chart.configMapFiles("istiod", "discovery");

    assertThat(files).containsKey(file);
    assertThat(RenderedChart.parseOne(files.get(file)).path("kind").asText())
        .as("--injector-values takes a ConfigMap manifest")
        .isEqualTo("ConfigMap");
  }

  @Test
  void theCliAcceptsTheChartsArgumentsAsTheValuesMeantThem() {
    ControlPlane.Settings defaults = serve(RenderedChart.render(InstallChartTest.DEFAULT_NS));
    assertThat(defaults.xdsPort()).isEqualTo(15010);
    assertThat(defaults.monitoringPort()).isEqualTo(15014);
    assertThat(defaults.configDir()).isEmpty();
    assertThat(defaults.debounce().debounceAfter()).isEqualTo(Duration.ofMillis(100));
    assertThat(defaults.debounce().debounceMax()).isEqualTo(Duration.ofSeconds(10));
    assertThat(defaults.kubernetes()).isPresent();
    assertThat(defaults.kubernetes().get().kubeconfig())
        .as("in the pod: the in-cluster service account")
        .isEmpty();
    assertThat(defaults.kubernetes().get().watchNamespaces()).isEmpty();

    ControlPlane.Settings custom =
        serve(RenderedChart.renderNonDefault(InstallChartTest.CUSTOM_NS));
    KubernetesSource.Settings kube = custom.kubernetes().orElseThrow();
    assertThat(kube.watchNamespaces()).containsExactly("bookinfo", "shop");
    assertThat(custom.debounce().debounceAfter()).isEqualTo(Duration.ofMillis(250));
    assertThat(custom.debounce().debounceMax()).isEqualTo(Duration.ofSeconds(5));
  }

  /**
   * Runs {@code meshctl serve} with the chart's arguments (pending flags left out) and a server
   * that only records the settings; fails on any usage error.
   */
  static ControlPlane.Settings serve(RenderedChart chart) {
    return serve(chart, Map.of());
  }

  /** Like {@link #serve(RenderedChart)}, with some flag values replaced first. */
  static ControlPlane.Settings serve(RenderedChart chart, Map<String, String> replace) {
    List<String> args = new ArrayList<>(List.of("serve"));
    for (Map.Entry<String, String> f : flags(chart.istiodArgs()).entrySet()) {
      String value = replace.getOrDefault(f.getKey(), f.getValue());
      args.add(value == null ? f.getKey() : f.getKey() + "=" + value);
    }
    AtomicReference<ControlPlane.Settings> seen = new AtomicReference<>();
    AtomicReference<LogLevel> level = new AtomicReference<>();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code =
        Main.run(
            args.toArray(String[]::new),
            Map.of(),
            new PrintWriter(out),
            new PrintWriter(err),
            (settings, logLevel, o, e) -> {
              seen.set(settings);
              level.set(logLevel);
              return 0;
            });
    assertThat(code).as("meshctl %s\nstderr: %s", args, err).isZero();
    assertThat(level.get()).isNotNull();
    return Optional.ofNullable(seen.get()).orElseThrow();
  }
}
