package dev.meshctl.crds.validation;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import dev.meshctl.crds.IstioDuration;
import dev.meshctl.crds.networking.Common.Percent;
import dev.meshctl.crds.networking.StringMatch;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;

/** Field rules shared by all kinds (durations, percentages, ports, regexes, hosts). Stateless. */
final class Rules {
  /** Istio approximates Envoy's RE2 program-size limit by the regex length. */
  static final int MAX_REGEX_LENGTH = 1024;

  private static final java.util.regex.Pattern DNS_LABEL =
      java.util.regex.Pattern.compile("[a-zA-Z0-9](?:[-a-zA-Z0-9]*[a-zA-Z0-9])?");
  private static final java.util.regex.Pattern WILDCARD_LABEL =
      java.util.regex.Pattern.compile("\\*|(?:\\*|\\*-)?[a-zA-Z0-9](?:[-a-zA-Z0-9]*[a-zA-Z0-9])?");
  private static final java.util.regex.Pattern LOWER_DNS_LABEL =
      java.util.regex.Pattern.compile("[a-z0-9](?:[-a-z0-9]*[a-z0-9])?");

  private Rules() {}

  static String q(String s) {
    return "\"" + s + "\"";
  }

  /** Istio: at least 1ms, whole milliseconds. */
  static void duration(Findings f, String path, Duration d) {
    if (d == null) {
      return;
    }
    if (d.compareTo(Duration.ofMillis(1)) < 0) {
      f.error(path, "must be >= 1ms, got " + IstioDuration.format(d));
    } else if (d.getNano() % 1_000_000 != 0) {
      f.error(path, "must be a whole number of milliseconds, got " + IstioDuration.format(d));
    }
  }

  /** A {@code Percent}: 0, or in [0.0001, 100]. */
  static void percent(Findings f, String path, Percent p) {
    if (p == null || p.value() == null) {
      return;
    }
    double v = p.value();
    if (v < 0 || v > 100 || (v > 0 && v < 0.0001)) {
      f.error(path + ".value", "must be 0 or in [0.0001, 100], got " + v);
    }
  }

  /** An integer percentage in [0, 100]. */
  static void intPercent(Findings f, String path, Integer v) {
    if (v != null && (v < 0 || v > 100)) {
      f.error(path, "must be in 0..100, got " + v);
    }
  }

  /** A port number in [1, 65535]. */
  static void port(Findings f, String path, Integer p) {
    if (p != null && (p < 1 || p > 65535)) {
      f.error(path, "must be in 1..65535, got " + p);
    }
  }

  /** An RE2 regex no longer than {@link #MAX_REGEX_LENGTH}. */
  static void regex(Findings f, String path, String re) {
    if (re == null) {
      return;
    }
    if (re.length() > MAX_REGEX_LENGTH) {
      f.error(
          path, "regex is too long (" + re.length() + " characters, max " + MAX_REGEX_LENGTH + ")");
      return;
    }
    try {
      Pattern.compile(re);
    } catch (PatternSyntaxException e) {
      f.error(path, "invalid RE2 regex " + q(re) + ": " + e.getDescription());
    }
  }

  static void stringMatch(Findings f, String path, StringMatch m) {
    if (m instanceof StringMatch.Regex r) {
      regex(f, path + ".regex", r.regex());
    }
  }

  static boolean isDnsLabel(String s) {
    return s.length() <= 63 && DNS_LABEL.matcher(s).matches();
  }

  /** Kubernetes names (namespaces, subset names): lower-case DNS-1123 labels. */
  static boolean isLowerDnsLabel(String s) {
    return s.length() <= 63 && LOWER_DNS_LABEL.matcher(s).matches();
  }

  /** Why {@code host} is not a DNS name with an optional leading wildcard label, or null. */
  static String wildcardDomain(String host) {
    if (host.isEmpty()) {
      return "empty host is not allowed";
    }
    if (host.length() > 255) {
      return "host " + q(host) + " is too long (max 255)";
    }
    String[] parts = host.split("\\.", 2);
    if (parts[0].length() > 63 || !WILDCARD_LABEL.matcher(parts[0]).matches()) {
      return "host " + q(host) + " is invalid (label " + q(parts[0]) + " invalid)";
    }
    return parts.length > 1 ? dnsLabels(host, parts[1]) : null;
  }

  /** Why {@code host} is not a DNS name (no wildcard), or null. */
  static String fqdn(String host) {
    if (host.isEmpty()) {
      return "empty host is not allowed";
    }
    if (host.length() > 255) {
      return "host " + q(host) + " is too long (max 255)";
    }
    return dnsLabels(host, host);
  }

  private static String dnsLabels(String host, String domain) {
    String[] labels = domain.split("\\.", -1);
    String tld = labels[labels.length - 1];
    if (!tld.isEmpty() && tld.chars().allMatch(Character::isDigit)) {
      return "host "
          + q(host)
          + " is invalid (top level domain "
          + q(tld)
          + " cannot be all-numeric)";
    }
    for (int i = 0; i < labels.length; i++) {
      if (i == labels.length - 1 && labels[i].isEmpty()) {
        return null;
      }
      if (!isDnsLabel(labels[i])) {
        return "host " + q(host) + " is invalid (label " + q(labels[i]) + " invalid)";
      }
    }
    return null;
  }

  /** IPv4 or IPv6 literal (no host names, no CIDR). */
  static boolean isIp(String s) {
    if (s.contains(":")) {
      return s.matches("[0-9a-fA-F:.]+") && s.chars().filter(c -> c == ':').count() >= 2;
    }
    Matcher m =
        java.util.regex.Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})")
            .matcher(s);
    if (!m.matches()) {
      return false;
    }
    for (int i = 1; i <= 4; i++) {
      if (Integer.parseInt(m.group(i)) > 255
          || (m.group(i).length() > 1 && m.group(i).startsWith("0"))) {
        return false;
      }
    }
    return true;
  }

  /** IP or CIDR ({@code 10.0.0.0/8}). */
  static boolean isIpOrCidr(String s) {
    int slash = s.indexOf('/');
    if (slash < 0) {
      return isIp(s);
    }
    String bits = s.substring(slash + 1);
    if (!bits.matches("\\d{1,3}")) {
      return false;
    }
    int max = s.contains(":") ? 128 : 32;
    return isIp(s.substring(0, slash)) && Integer.parseInt(bits) <= max;
  }

  /** Label keys and values (Kubernetes label syntax, simplified to the common rules). */
  static void labels(Findings f, String path, Map<String, String> labels) {
    labels.forEach(
        (k, v) -> {
          if (k.isEmpty() || k.contains("*")) {
            f.error(path, "invalid label key " + q(k));
          } else if (v.length() > 63
              || !(v.isEmpty() || v.matches("[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?"))) {
            f.error(dev.meshctl.crds.decode.Paths.child(path, k), "invalid label value " + q(v));
          }
        });
  }
}
