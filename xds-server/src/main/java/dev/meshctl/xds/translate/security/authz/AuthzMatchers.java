package dev.meshctl.xds.translate.security.authz;

import com.google.protobuf.UInt32Value;
import io.envoyproxy.envoy.config.core.v3.CidrRange;
import io.envoyproxy.envoy.config.rbac.v3.Permission;
import io.envoyproxy.envoy.config.rbac.v3.Principal;
import io.envoyproxy.envoy.config.route.v3.HeaderMatcher;
import io.envoyproxy.envoy.type.matcher.v3.MetadataMatcher;
import io.envoyproxy.envoy.type.matcher.v3.PathMatcher;
import io.envoyproxy.envoy.type.matcher.v3.RegexMatcher;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import io.envoyproxy.envoy.type.matcher.v3.ValueMatcher;
import java.util.List;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The Envoy RBAC matchers AuthorizationPolicy values compile to, with Istio's value syntax: a value
 * is exact, {@code prefix*}, {@code *suffix} or {@code *} (present). Pure; any thread.
 */
final class AuthzMatchers {
  /** Where Istio's authn filter publishes the request principal and claims (JWT). */
  static final String AUTHN_METADATA = "istio_authn";

  private AuthzMatchers() {}

  /** {@code value} as a string matcher: exact, prefix, suffix, or any non-empty value. */
  static StringMatcher string(String value, boolean ignoreCase) {
    StringMatcher.Builder m = StringMatcher.newBuilder().setIgnoreCase(ignoreCase);
    if (value.equals("*")) {
      return m.setSafeRegex(regex(".+")).build();
    }
    if (value.endsWith("*")) {
      return m.setPrefix(value.substring(0, value.length() - 1)).build();
    }
    if (value.startsWith("*")) {
      return m.setSuffix(value.substring(1)).build();
    }
    return m.setExact(value).build();
  }

  static RegexMatcher regex(String re) {
    return RegexMatcher.newBuilder().setRegex(re).build();
  }

  /** A principal (SPIFFE ID without scheme) matcher, as Istio writes it. */
  static Principal principal(String value) {
    StringMatcher m;
    if (value.equals("*")) {
      m = StringMatcher.newBuilder().setSafeRegex(regex(".+")).build();
    } else if (value.endsWith("*")) {
      m =
          StringMatcher.newBuilder()
              .setPrefix(spiffe(value.substring(0, value.length() - 1)))
              .build();
    } else if (value.startsWith("*")) {
      m = StringMatcher.newBuilder().setSuffix(value.substring(1)).build();
    } else {
      m = StringMatcher.newBuilder().setExact(spiffe(value)).build();
    }
    return authenticated(m);
  }

  private static String spiffe(String id) {
    return "spiffe://" + id;
  }

  static Principal authenticated(StringMatcher m) {
    return Principal.newBuilder()
        .setAuthenticated(Principal.Authenticated.newBuilder().setPrincipalName(m))
        .build();
  }

  /** A peer in {@code namespace} (or a {@code prefix*}/{@code *suffix}/{@code *} pattern). */
  static Principal namespace(String value) {
    return authenticated(
        StringMatcher.newBuilder().setSafeRegex(regex(".*/ns/" + segment(value) + "/.*")).build());
  }

  /** A peer running as service account {@code ns/sa}. */
  static Principal serviceAccount(String value) {
    int slash = value.indexOf('/');
    String ns = slash < 0 ? "[^/]+" : segment(value.substring(0, slash));
    String sa = segment(slash < 0 ? value : value.substring(slash + 1));
    return authenticated(
        StringMatcher.newBuilder()
            .setSafeRegex(regex("spiffe://[^/]+/ns/" + ns + "/sa/" + sa))
            .build());
  }

  /** A peer of trust domain {@code value}. */
  static Principal trustDomain(String value) {
    return authenticated(
        StringMatcher.newBuilder()
            .setSafeRegex(regex("spiffe://" + segment(value) + "/.*"))
            .build());
  }

  /** One path segment of a principal as a regex: literal, with Istio's {@code *} patterns. */
  private static String segment(String value) {
    if (value.equals("*")) {
      return "[^/]+";
    }
    if (value.endsWith("*")) {
      return Pattern.quote(value.substring(0, value.length() - 1)) + "[^/]*";
    }
    if (value.startsWith("*")) {
      return "[^/]*" + Pattern.quote(value.substring(1));
    }
    return Pattern.quote(value);
  }

  static CidrRange cidr(String value) {
    int slash = value.indexOf('/');
    String address = slash < 0 ? value : value.substring(0, slash);
    int full = address.contains(":") ? 128 : 32;
    int length = full;
    if (slash >= 0) {
      try {
        length = Math.min(full, Math.max(0, Integer.parseInt(value.substring(slash + 1))));
      } catch (NumberFormatException e) {
        length = full; // validation rejects this; the most specific reading
      }
    }
    return CidrRange.newBuilder()
        .setAddressPrefix(address)
        .setPrefixLen(UInt32Value.of(length))
        .build();
  }

  static HeaderMatcher header(String name, String value) {
    HeaderMatcher.Builder h = HeaderMatcher.newBuilder().setName(name);
    if (value.equals("*")) {
      return h.setPresentMatch(true).build();
    }
    return h.setStringMatch(string(value, name.equals(":authority"))).build();
  }

  /**
   * A path matcher: Istio's value syntax, or a path template ({@code {*}} one segment, {@code {**}}
   * the rest) as a regex, so a DENY on {@code /a/{*}/admin} cannot be missed.
   */
  static PathMatcher path(String value) {
    if (value.contains("{*")) {
      StringBuilder re = new StringBuilder();
      int i = 0;
      while (i < value.length()) {
        if (value.startsWith("{**}", i)) {
          re.append(".*");
          i += 4;
        } else if (value.startsWith("{*}", i)) {
          re.append("[^/]+");
          i += 3;
        } else {
          int next = value.indexOf("{*", i);
          int end = next < 0 ? value.length() : next;
          re.append(Pattern.quote(value.substring(i, end)));
          i = end;
        }
      }
      return PathMatcher.newBuilder()
          .setPath(StringMatcher.newBuilder().setSafeRegex(regex(re.toString())))
          .build();
    }
    return PathMatcher.newBuilder().setPath(string(value, false)).build();
  }

  /** A match on metadata Istio's authn filter sets (request principal, claims). */
  static MetadataMatcher authnMetadata(String key, String value) {
    return MetadataMatcher.newBuilder()
        .setFilter(AUTHN_METADATA)
        .addPath(MetadataMatcher.PathSegment.newBuilder().setKey(key))
        .setValue(ValueMatcher.newBuilder().setStringMatch(string(value, false)))
        .build();
  }

  /** Any of {@code values}, through {@code one}; {@code null} when there are none. */
  static Permission anyPermission(List<String> values, Function<String, Permission> one) {
    if (values == null || values.isEmpty()) {
      return null;
    }
    if (values.size() == 1) {
      return one.apply(values.get(0));
    }
    Permission.Set.Builder set = Permission.Set.newBuilder();
    values.forEach(v -> set.addRules(one.apply(v)));
    return Permission.newBuilder().setOrRules(set).build();
  }

  /** None of {@code values}; {@code null} when there are none. */
  static Permission nonePermission(List<String> values, Function<String, Permission> one) {
    Permission any = anyPermission(values, one);
    return any == null ? null : Permission.newBuilder().setNotRule(any).build();
  }

  static Principal anyPrincipal(List<String> values, Function<String, Principal> one) {
    if (values == null || values.isEmpty()) {
      return null;
    }
    if (values.size() == 1) {
      return one.apply(values.get(0));
    }
    Principal.Set.Builder set = Principal.Set.newBuilder();
    values.forEach(v -> set.addIds(one.apply(v)));
    return Principal.newBuilder().setOrIds(set).build();
  }

  static Principal nonePrincipal(List<String> values, Function<String, Principal> one) {
    Principal any = anyPrincipal(values, one);
    return any == null ? null : Principal.newBuilder().setNotId(any).build();
  }

  /** All of {@code parts} ({@code any} when empty). */
  static Permission allPermissions(List<Permission> parts) {
    if (parts.isEmpty()) {
      return Permission.newBuilder().setAny(true).build();
    }
    if (parts.size() == 1) {
      return parts.get(0);
    }
    return Permission.newBuilder()
        .setAndRules(Permission.Set.newBuilder().addAllRules(parts))
        .build();
  }

  static Principal allPrincipals(List<Principal> parts) {
    if (parts.isEmpty()) {
      return Principal.newBuilder().setAny(true).build();
    }
    if (parts.size() == 1) {
      return parts.get(0);
    }
    return Principal.newBuilder().setAndIds(Principal.Set.newBuilder().addAllIds(parts)).build();
  }
}
