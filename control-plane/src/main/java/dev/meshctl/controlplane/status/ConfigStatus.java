package dev.meshctl.controlplane.status;

import dev.meshctl.crds.validation.Finding;
import java.util.List;
import java.util.Objects;

/**
 * What a source learned when it decoded and validated one Istio config object: the input of the
 * {@link StatusWriter}, independent of where the object came from. Immutable.
 *
 * @param ref the object
 * @param generation its {@code metadata.generation} when validated (0 when unknown)
 * @param findings the validator's errors and warnings; empty when the object is valid
 */
public record ConfigStatus(ObjectRef ref, long generation, List<Finding> findings) {
  public ConfigStatus {
    Objects.requireNonNull(ref, "ref");
    findings = List.copyOf(findings);
  }

  /** True when the object was refused (it has at least one error). */
  public boolean invalid() {
    return findings.stream().anyMatch(f -> f.severity() == Finding.Severity.ERROR);
  }
}
