package dev.meshctl.crds.validation;

import static dev.meshctl.crds.validation.Rules.q;

import java.util.List;
import java.util.Set;

/**
 * The request attributes an AuthorizationPolicy {@code when} condition may test (Istio's list), the
 * form of their values, and Istio's path template rules ({@code {*}}, {@code {**}}). Stateless.
 */
final class Conditions {
  /** Keys whose values are free strings. */
  private static final Set<String> PLAIN =
      Set.of(
          "source.namespace",
          "source.principal",
          "request.auth.principal",
          "request.auth.audiences",
          "request.auth.presenter",
          "connection.sni");

  /** Keys written {@code prefix[name]}. */
  private static final List<String> MAP_KEYS =
      List.of(
          "request.headers",
          "request.experimental.inline.headers",
          "request.auth.claims",
          "experimental.envoy.filters.");

  private static final Set<String> IP_KEYS = Set.of("source.ip", "remote.ip", "destination.ip");

  private Conditions() {}

  /** Why {@code key} is not a condition key Istio accepts, or null. */
  static String keyError(String key) {
    if (PLAIN.contains(key)
        || IP_KEYS.contains(key)
        || key.equals("destination.port")
        || key.equals("source.serviceAccount")) {
      return null;
    }
    for (String prefix : MAP_KEYS) {
      if (key.startsWith(prefix)) {
        int open = key.indexOf('[');
        boolean ok = key.endsWith("]") && open > 0 && open < key.length() - 2;
        return ok ? null : "key " + q(key) + " must have the form " + prefix + "[name]";
      }
    }
    if (key.equals("destination.namespace")) {
      return "key " + q(key) + " is not supported; the policy's namespace applies instead";
    }
    if (key.startsWith("destination.labels")) {
      return "key " + q(key) + " is not supported; use the policy's selector instead";
    }
    if (key.equals("destination.name") || key.equals("destination.user")) {
      return "key " + q(key) + " is no longer supported (v1alpha1 only)";
    }
    return "unknown key " + q(key);
  }

  /** The values of a known key: non-empty, and IPs, ports or service accounts where it says so. */
  static void values(Findings f, String path, String key, List<String> values) {
    SecurityRules.nonEmpty(f, path, values);
    if (IP_KEYS.contains(key)) {
      SecurityRules.ips(f, path, values);
    } else if (key.equals("destination.port")) {
      SecurityRules.ports(f, path, values);
    } else if (key.equals("source.serviceAccount")) {
      SecurityRules.serviceAccounts(f, path, values);
    }
  }

  /**
   * Path templates: {@code {*}} matches one segment, {@code {**}} the rest and must be the last
   * operator; any other brace is an error, and template paths must use URI path characters.
   */
  static void paths(Findings f, String path, List<String> paths) {
    for (int i = 0; i < paths.size(); i++) {
      String error = pathError(paths.get(i));
      if (error != null) {
        f.error(path + "[" + i + "]", error);
      }
    }
  }

  private static String pathError(String path) {
    boolean template = path.contains("{*}") || path.contains("{**}");
    boolean sawAny = false;
    String trimmed = path.replaceAll("^/+|/+$", "");
    for (String segment : trimmed.split("/", -1)) {
      boolean operator = segment.equals("{*}") || segment.equals("{**}");
      if (operator && sawAny) {
        return "invalid path " + q(path) + ": {**} must be the last operator";
      }
      if (operator) {
        sawAny = segment.equals("{**}");
        continue;
      }
      if (segment.contains("{") || segment.contains("}")) {
        return "invalid path " + q(path) + ": braces are only allowed as {*} or {**} segments";
      }
      if (template && !segment.matches("[a-zA-Z0-9-._~%!$&'()+,;:@=]+")) {
        return "invalid path " + q(path) + ": segment " + q(segment) + " is not a valid literal";
      }
    }
    return null;
  }
}
