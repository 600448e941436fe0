package dev.meshctl.xds.validate;

import dev.meshctl.crds.decode.IstioConfig;
import dev.meshctl.crds.validation.Finding;
import dev.meshctl.crds.validation.NetworkingValidator;
import dev.meshctl.crds.validation.ValidationReport;
import dev.meshctl.xds.translate.envoyfilter.EnvoyFilterValues;
import java.util.ArrayList;
import java.util.List;

/**
 * Every check of one Istio object: {@link NetworkingValidator}'s rules, plus those that need
 * Envoy's types (an EnvoyFilter's patch values). The one entry point of the file and Kubernetes
 * sources, the admission webhook and {@code meshctl analyze}, so they agree. Stateless; any thread.
 */
public final class IstioValidation {
  private IstioValidation() {}

  /** Errors and warnings, errors first within each part. */
  public static ValidationReport validate(IstioConfig config) {
    List<Finding> all = new ArrayList<>(NetworkingValidator.validate(config).findings());
    all.addAll(EnvoyFilterValues.check(config));
    return new ValidationReport(all);
  }
}
