package dev.meshctl.controlplane.analyze;

import dev.meshctl.controlplane.analyze.Catalog.Located;
import dev.meshctl.crds.IstioKind;
import dev.meshctl.crds.decode.IstioConfig;
import dev.meshctl.crds.security.AuthorizationPolicy;
import java.util.List;

/**
 * Warnings about security resources that are valid Istio but not enforced by meshctl as written, so
 * a user never mistakes what a policy does:
 *
 * <ul>
 *   <li>an AuthorizationPolicy with action {@code CUSTOM} (it needs an ext-authz provider, which
 *       meshctl does not configure, so what its rules match is denied instead);
 *   <li>a RequestAuthentication (no JWT filter is generated yet, so no request carries a request
 *       principal: rules needing one do not match).
 * </ul>
 *
 * Stateless; any thread.
 */
final class SecurityChecks {
  private SecurityChecks() {}

  static void run(Catalog catalog, List<Diagnostic> out) {
    for (Located<IstioConfig> ap : catalog.of(IstioKind.AUTHORIZATION_POLICY)) {
      AuthorizationPolicy spec = ap.object().spec(AuthorizationPolicy.class);
      if (spec.action() == AuthorizationPolicy.Action.CUSTOM) {
        out.add(
            Diagnostic.warning(
                ap.file(),
                ap.document(),
                ap.object().what(),
                "spec.action: CUSTOM needs an external authorizer, which meshctl does not"
                    + " configure: requests its rules match are denied (fail closed, as Istio does"
                    + " without a usable provider); use ALLOW or DENY rules instead"));
      }
    }
    for (Located<IstioConfig> ra : catalog.of(IstioKind.REQUEST_AUTHENTICATION)) {
      out.add(
          Diagnostic.warning(
              ra.file(),
              ra.document(),
              ra.object().what(),
              "JWT validation is not generated yet: no request gets a request principal, so"
                  + " requestPrincipals and request.auth.* conditions never match"));
    }
  }
}
