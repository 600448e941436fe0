package dev.meshctl.controlplane.cli;

import dev.meshctl.controlplane.analyze.AnalysisReport;
import dev.meshctl.controlplane.analyze.Analyzer;
import dev.meshctl.controlplane.analyze.InputFiles;
import java.io.PrintWriter;
import java.nio.file.NoSuchFileException;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code meshctl analyze <files or directories>...}: reads the config offline, prints every error
 * and warning (one per line, sorted by file and document) and a summary line to {@code out}. Exit
 * code 0 without errors (warnings allowed), 1 with errors, 2 for usage errors (no argument, a path
 * that does not exist), which go to {@code err}. Picocli fills the fields on the calling thread;
 * one instance serves one invocation.
 */
@Command(
    name = "analyze",
    description = {
      "Check Istio and Kubernetes config offline, like istioctl analyze: decoding, validation and"
          + " references between objects (hosts, subsets, gateways).",
      "Prints one line per finding, then a summary; exits 1 when there are errors:",
      "  <file>:<doc index> [warning: ]<Kind> <ns>/<name>: <field path>: <message>"
    },
    mixinStandardHelpOptions = true)
final class AnalyzeCommand implements Callable<Integer> {
  private final PrintWriter out;
  private final PrintWriter err;

  @Parameters(
      arity = "1..*",
      paramLabel = "PATH",
      description =
          "YAML/JSON files (multi-document) or directories (every *.yaml, *.yml and *.json below"
              + " them).")
  private List<String> paths;

  AnalyzeCommand(PrintWriter out, PrintWriter err) {
    this.out = out;
    this.err = err;
  }

  @Override
  public Integer call() {
    AnalysisReport report;
    try {
      report = Analyzer.analyze(InputFiles.read(paths));
    } catch (NoSuchFileException e) {
      err.println("meshctl analyze: " + e.getFile() + ": no such file or directory");
      return CommandLine.ExitCode.USAGE;
    }
    report.lines().forEach(out::println);
    if (!report.hostsChecked()) {
      out.println(AnalysisReport.HOSTS_NOT_CHECKED);
    }
    out.println(report.summary());
    return report.errors() > 0 ? 1 : CommandLine.ExitCode.OK;
  }
}
