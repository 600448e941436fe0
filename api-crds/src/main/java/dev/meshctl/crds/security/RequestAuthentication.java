package dev.meshctl.crds.security;

import dev.meshctl.crds.JsonName;
import dev.meshctl.crds.Required;
import dev.meshctl.crds.networking.Common.MatchLabelsSelector;
import java.time.Duration;
import java.util.List;

/**
 * The spec of a {@code security.istio.io} RequestAuthentication: which JWTs a workload accepts and
 * how it finds and forwards them. Immutable; {@code null} means absent; decoded lists are never
 * {@code null}. Validated and served, not yet compiled into Envoy's JWT filter.
 */
public record RequestAuthentication(
    MatchLabelsSelector selector,
    PolicyTargetReference targetRef,
    List<PolicyTargetReference> targetRefs,
    List<JwtRule> jwtRules)
    implements SecuritySpec {

  /** One accepted issuer ({@code JWTRule}). {@code jwks_uri} is the protobuf name Istio accepts. */
  public record JwtRule(
      String issuer,
      List<String> audiences,
      @JsonName(value = "jwksUri", aliases = "jwks_uri") String jwksUri,
      String jwks,
      List<JwtHeader> fromHeaders,
      List<String> fromParams,
      String outputPayloadToHeader,
      List<String> fromCookies,
      Boolean forwardOriginalToken,
      List<ClaimToHeader> outputClaimToHeaders,
      Duration timeout,
      List<String> spaceDelimitedClaims,
      Presence presence) {}

  /** A header the token is read from, with an optional prefix to strip ({@code "Bearer "}). */
  public record JwtHeader(@Required String name, String prefix) {}

  /** Copies a claim of a valid token into a request header. */
  public record ClaimToHeader(@Required String header, @Required String claim) {}

  /** Whether a request must carry a token for this issuer. */
  public enum Presence {
    OPTIONAL,
    REQUIRED
  }
}
