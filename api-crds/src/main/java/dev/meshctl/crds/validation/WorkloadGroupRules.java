package dev.meshctl.crds.validation;

import static dev.meshctl.crds.validation.Rules.q;

import dev.meshctl.crds.decode.Paths;
import dev.meshctl.crds.networking.WorkloadEntry;
import dev.meshctl.crds.networking.WorkloadGroup;
import dev.meshctl.crds.networking.WorkloadGroup.ExecCheck;
import dev.meshctl.crds.networking.WorkloadGroup.GrpcCheck;
import dev.meshctl.crds.networking.WorkloadGroup.HttpGetCheck;
import dev.meshctl.crds.networking.WorkloadGroup.ReadinessProbe;
import dev.meshctl.crds.networking.WorkloadGroup.TcpSocketCheck;

/**
 * Istio's rules for WorkloadGroup: a template is required; the template is not validated as a
 * WorkloadEntry (its address is filled in by each VM's registration), only its port numbers (as
 * Istio's CRD does); metadata labels valid; probe ports are ports, HTTP schemes HTTP or HTTPS, exec
 * commands non-empty, timings non-negative. Stateless.
 */
final class WorkloadGroupRules {
  private WorkloadGroupRules() {}

  static void validate(Findings f, WorkloadGroup wg) {
    if (wg.metadata() != null) {
      Rules.labels(f, "spec.metadata.labels", wg.metadata().labels());
    }
    WorkloadEntry t = wg.template();
    if (t == null) {
      f.error("spec.template", "required");
    } else {
      t.ports()
          .forEach(
              (name, number) -> Rules.port(f, Paths.child("spec.template.ports", name), number));
    }
    if (wg.probe() != null) {
      probe(f, "spec.probe", wg.probe());
    }
  }

  private static void probe(Findings f, String p, ReadinessProbe probe) {
    nonNegative(f, p + ".initialDelaySeconds", probe.initialDelaySeconds());
    nonNegative(f, p + ".timeoutSeconds", probe.timeoutSeconds());
    nonNegative(f, p + ".periodSeconds", probe.periodSeconds());
    nonNegative(f, p + ".successThreshold", probe.successThreshold());
    nonNegative(f, p + ".failureThreshold", probe.failureThreshold());
    if (probe.check() == null) {
      f.error(p, "one of httpGet, tcpSocket, exec or grpc is required");
    } else if (probe.check() instanceof HttpGetCheck h) {
      Rules.port(f, p + ".httpGet.port", h.httpGet().port());
      String scheme = h.httpGet().scheme();
      if (scheme != null
          && !scheme.isEmpty()
          && !scheme.equals("HTTP")
          && !scheme.equals("HTTPS")) {
        f.error(p + ".httpGet.scheme", "must be HTTP or HTTPS, got " + q(scheme));
      }
    } else if (probe.check() instanceof TcpSocketCheck t) {
      Rules.port(f, p + ".tcpSocket.port", t.tcpSocket().port());
    } else if (probe.check() instanceof ExecCheck e) {
      if (e.exec().command().isEmpty()) {
        f.error(p + ".exec.command", "at least one element is required");
      }
    } else if (probe.check() instanceof GrpcCheck g) {
      Rules.port(f, p + ".grpc.port", g.grpc().port());
    }
  }

  private static void nonNegative(Findings f, String p, Integer v) {
    if (v != null && v < 0) {
      f.error(p, "must be >= 0, got " + v);
    }
  }
}
