package dev.meshctl.controlplane.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code meshctl demo}: runnable demonstrations on this machine; today {@code demo traffic} ({@link
 * DemoTrafficCommand}). Alone it prints its usage and exits with 2. One instance per invocation.
 */
@Command(
    name = "demo",
    description = "Runnable demos on this machine (no cluster needed).",
    mixinStandardHelpOptions = true)
final class DemoCommand implements Callable<Integer> {
  @Spec private CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().getErr().println("meshctl demo: missing a demo (traffic)");
    spec.commandLine().usage(spec.commandLine().getErr());
    return CommandLine.ExitCode.USAGE;
  }
}
