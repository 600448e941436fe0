package dev.meshctl.controlplane.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code meshctl version}: prints the version from the jar manifest, or {@code dev}. */
@Command(name = "version", description = "Print the meshctl version.")
final class VersionCommand implements Callable<Integer> {
  private final PrintWriter out;

  VersionCommand(PrintWriter out) {
    this.out = out;
  }

  /** The jar's {@code Implementation-Version}; {@code dev} when run from classes (IDE, tests). */
  static String version() {
    String v = Main.class.getPackage().getImplementationVersion();
    return v == null || v.isBlank() ? "dev" : v;
  }

  @Override
  public Integer call() {
    out.println("meshctl " + version());
    return CommandLine.ExitCode.OK;
  }

  /** For {@code meshctl --version}. */
  static final class Provider implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"meshctl " + version()};
    }
  }
}
