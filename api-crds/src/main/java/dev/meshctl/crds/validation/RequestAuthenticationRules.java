package dev.meshctl.crds.validation;

import static dev.meshctl.crds.validation.Rules.q;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.meshctl.crds.security.RequestAuthentication;
import dev.meshctl.crds.security.RequestAuthentication.ClaimToHeader;
import dev.meshctl.crds.security.RequestAuthentication.JwtRule;
import java.net.URI;
import java.net.URISyntaxException;

/**
 * Istio's semantic rules for RequestAuthentication: issuer or JWKS URI present, JWKS URI an http(s)
 * URL, inline JWKS a JSON key set, only one key source, token locations non-empty, claim headers
 * valid header names, timeout at least 1ms. Stateless.
 */
final class RequestAuthenticationRules {
  private static final ObjectMapper JSON = new ObjectMapper();

  private RequestAuthenticationRules() {}

  static void validate(Findings f, RequestAuthentication ra) {
    SecurityRules.targets(f, ra.selector(), ra.targetRef(), ra.targetRefs());
    SecurityRules.selector(f, ra.selector());
    for (int i = 0; i < ra.jwtRules().size(); i++) {
      rule(f, "spec.jwtRules[" + i + "]", ra.jwtRules().get(i));
    }
  }

  private static void rule(Findings f, String p, JwtRule r) {
    SecurityRules.nonEmpty(f, p + ".audiences", r.audiences());
    boolean hasUri = r.jwksUri() != null && !r.jwksUri().isEmpty();
    if ((r.issuer() == null || r.issuer().isEmpty()) && !hasUri) {
      f.error(p + ".issuer", "required (or jwksUri)");
    }
    if (hasUri) {
      String error = jwksUriError(r.jwksUri());
      if (error != null) {
        f.error(p + ".jwksUri", error);
      }
    }
    if (r.jwks() != null && !r.jwks().isEmpty()) {
      if (hasUri) {
        f.error(p, "only one of jwksUri and jwks may be set");
      }
      String error = jwksError(r.jwks());
      if (error != null) {
        f.error(p + ".jwks", error);
      }
    }
    for (int i = 0; i < r.fromHeaders().size(); i++) {
      String name = r.fromHeaders().get(i).name();
      if (name == null || name.isEmpty()) {
        f.error(p + ".fromHeaders[" + i + "].name", "required");
      }
    }
    for (int i = 0; i < r.fromParams().size(); i++) {
      if (r.fromParams().get(i).isEmpty()) {
        f.error(p + ".fromParams[" + i + "]", "empty query parameter name is not allowed");
      }
    }
    for (int i = 0; i < r.fromCookies().size(); i++) {
      if (r.fromCookies().get(i).isEmpty()) {
        f.error(p + ".fromCookies[" + i + "]", "empty cookie name is not allowed");
      }
    }
    for (int i = 0; i < r.outputClaimToHeaders().size(); i++) {
      ClaimToHeader c = r.outputClaimToHeaders().get(i);
      String cp = p + ".outputClaimToHeaders[" + i + "]";
      if (c.claim() == null || c.claim().isEmpty()) {
        f.error(cp + ".claim", "required");
      }
      if (c.header() == null || c.header().isEmpty()) {
        f.error(cp + ".header", "required");
      } else if (!c.header().matches("[-!#$%&'*+.^_`|~0-9A-Za-z]+")) {
        f.error(cp + ".header", "invalid header name " + q(c.header()));
      }
    }
    Rules.duration(f, p + ".timeout", r.timeout());
  }

  /** Why {@code uri} is not an http(s) URL, or null. */
  static String jwksUriError(String uri) {
    try {
      URI u = new URI(uri);
      String scheme = u.getScheme();
      if (scheme == null || !(scheme.equals("http") || scheme.equals("https"))) {
        return "must be an http or https URL, got " + q(uri);
      }
      return null;
    } catch (URISyntaxException e) {
      return "invalid URL " + q(uri) + ": " + e.getReason();
    }
  }

  /** Why {@code jwks} is not a JSON Web Key Set (an object with a {@code keys} list), or null. */
  static String jwksError(String jwks) {
    JsonNode n;
    try {
      n = JSON.readTree(jwks);
    } catch (JsonProcessingException e) {
      return "must be a JSON Web Key Set, got invalid JSON";
    }
    if (n == null || !n.isObject() || !n.path("keys").isArray()) {
      return "must be a JSON Web Key Set (an object with a \"keys\" list)";
    }
    return null;
  }
}
