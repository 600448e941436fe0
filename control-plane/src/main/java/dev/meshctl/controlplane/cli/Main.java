package dev.meshctl.controlplane.cli;

import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Spec;

/**
 * The {@code meshctl} command line: {@code serve}, {@code version}, {@code analyze}, {@code
 * kube-inject}, {@code proxy-status}, {@code proxy-config} and {@code demo traffic}. Usage errors
 * (unknown subcommand, bad flag or value) print the problem and the usage to stderr and exit with
 * 2. Flags take their defaults from environment variables where Istio has one (see {@link
 * #ENV_DEFAULTS}). Called once per process from {@link #main}; {@link #run} is the testable entry
 * point.
 */
@Command(
    name = "meshctl",
    description = "A Java istiod: serves Istio's xDS APIs to Envoy sidecars and proxyless gRPC.",
    mixinStandardHelpOptions = true,
    versionProvider = VersionCommand.Provider.class)
public final class Main implements Callable<Integer> {

  /** Flag long name to the environment variable that gives its default. */
  static final Map<String, String> ENV_DEFAULTS =
      Map.ofEntries(
          Map.entry("--config-dir", "MESHCTL_CONFIG_DIR"),
          Map.entry("--xds-port", "MESHCTL_XDS_PORT"),
          Map.entry("--monitoring-port", "MESHCTL_MONITORING_PORT"),
          Map.entry("--debounce-after", "PILOT_DEBOUNCE_AFTER"),
          Map.entry("--debounce-max", "PILOT_DEBOUNCE_MAX"),
          Map.entry("--log-level", "MESHCTL_LOG_LEVEL"),
          Map.entry("--kubeconfig", "KUBECONFIG"),
          Map.entry("--ca-dir", "MESHCTL_CA_DIR"),
          Map.entry("--namespace", "POD_NAMESPACE"),
          Map.entry("--revision", "REVISION"),
          Map.entry("--scope-gateway-to-namespace", "PILOT_SCOPE_GATEWAY_TO_NAMESPACE"),
          Map.entry("--push-throttle", "PILOT_PUSH_THROTTLE"),
          Map.entry("--max-requests-per-second", "PILOT_MAX_REQUESTS_PER_SECOND"),
          Map.entry("--max-requests-burst", "MESHCTL_MAX_REQUESTS_BURST"));

  @Spec private CommandSpec spec;

  private Main() {}

  public static void main(String[] args) {
    PrintWriter out = new PrintWriter(System.out, true);
    PrintWriter err = new PrintWriter(System.err, true);
    System.exit(run(args, System.getenv(), out, err, ServeCommand.REAL));
  }

  /**
   * Parses {@code args} and runs the command; returns the exit code (0 ok, 1 failure, 2 usage).
   *
   * @param env the environment the flag defaults come from
   * @param server what {@code serve} runs once its flags are valid
   */
  public static int run(
      String[] args,
      Map<String, String> env,
      PrintWriter out,
      PrintWriter err,
      ServeCommand.Server server) {
    return run(args, env, out, err, server, DemoTrafficCommand::runUntilShutdown);
  }

  /** {@link #run(String[], Map, PrintWriter, PrintWriter, ServeCommand.Server)} with the demo. */
  static int run(
      String[] args,
      Map<String, String> env,
      PrintWriter out,
      PrintWriter err,
      ServeCommand.Server server,
      DemoTrafficCommand.Runner demo) {
    CommandLine cl = new CommandLine(new Main());
    cl.addSubcommand("serve", new ServeCommand(server, out, err));
    cl.addSubcommand("version", new VersionCommand(out));
    cl.addSubcommand("analyze", new AnalyzeCommand(out, err));
    cl.addSubcommand("kube-inject", new KubeInjectCommand(out, err));
    cl.addSubcommand("proxy-status", new ProxyStatusCommand(out, err));
    cl.addSubcommand("proxy-config", new ProxyConfigCommand(out, err));
    cl.addSubcommand(
        "demo",
        new CommandLine(new DemoCommand())
            .addSubcommand("traffic", new DemoTrafficCommand(demo, out, err)));
    cl.setCaseInsensitiveEnumValuesAllowed(true);
    cl.setOut(out);
    cl.setErr(err);
    // Set after adding subcommands: picocli copies it down the hierarchy present at this call.
    cl.setDefaultValueProvider(new EnvDefaults(env));
    int code = cl.execute(args);
    out.flush();
    err.flush();
    return code;
  }

  /** {@code meshctl} alone: say what is possible. */
  @Override
  public Integer call() {
    spec.commandLine().getErr().println("meshctl: missing a command");
    spec.commandLine().usage(spec.commandLine().getErr());
    return CommandLine.ExitCode.USAGE;
  }

  /** Takes a flag's default from its environment variable, when that is set and not blank. */
  private record EnvDefaults(Map<String, String> env) implements CommandLine.IDefaultValueProvider {
    @Override
    public String defaultValue(ArgSpec arg) {
      // The demo's --config-dir and --xds-port are not serve's: MESHCTL_CONFIG_DIR set for serve
      // must not point the demo elsewhere.
      if (arg instanceof OptionSpec option
          && !option.command().qualifiedName().contains(" demo ")) {
        String variable = ENV_DEFAULTS.get(option.longestName());
        String value = variable == null ? null : env.get(variable);
        if (value != null && !value.isBlank()) {
          return value;
        }
      }
      return null; // picocli then uses the annotated default
    }
  }
}
