package dev.meshctl.xds.validate;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import io.envoyproxy.pgv.validate.Validate.KnownRegex;
import io.envoyproxy.pgv.validate.Validate.StringRules;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Compiled PGV {@code StringRules}. Lengths count Unicode code points ({@code len}, {@code
 * min_len}, {@code max_len}) or UTF-8 bytes ({@code *_bytes}), as PGV does; {@code pattern} is an
 * unanchored RE2 search (re2j), like Envoy's RE2 partial match. Immutable once compiled; any
 * thread.
 */
final class StringRule implements ValueRule {
  private boolean ignoreEmpty;
  private String constant;
  private long len = -1;
  private long minLen = -1;
  private long maxLen = -1;
  private long lenBytes = -1;
  private long minBytes = -1;
  private long maxBytes = -1;
  private Pattern pattern;
  private String prefix;
  private String suffix;
  private String contains;
  private String notContains;
  private List<String> in;
  private List<String> notIn;
  private Predicate<String> wellKnown;
  private String wellKnownName;

  private StringRule() {}

  static ValueRule compile(StringRules rules, RuleLog log) {
    StringRule r = new StringRule();
    KnownRegex knownRegex = null;
    for (Map.Entry<FieldDescriptor, Object> e : rules.getAllFields().entrySet()) {
      String name = e.getKey().getName();
      Object v = e.getValue();
      switch (name) {
        case "ignore_empty" -> r.ignoreEmpty = (Boolean) v;
        case "const" -> r.constant = (String) v;
        case "len" -> r.len = (Long) v;
        case "min_len" -> r.minLen = (Long) v;
        case "max_len" -> r.maxLen = (Long) v;
        case "len_bytes" -> r.lenBytes = (Long) v;
        case "min_bytes" -> r.minBytes = (Long) v;
        case "max_bytes" -> r.maxBytes = (Long) v;
        case "pattern" -> {
          try {
            r.pattern = Pattern.compile((String) v);
          } catch (PatternSyntaxException invalid) {
            // Not RE2, so not a rule Envoy could apply either; never throw out of validate().
            log.unsupported(name);
            continue;
          }
        }
        case "prefix" -> r.prefix = (String) v;
        case "suffix" -> r.suffix = (String) v;
        case "contains" -> r.contains = (String) v;
        case "not_contains" -> r.notContains = (String) v;
        case "in" -> r.in = stringList(v);
        case "not_in" -> r.notIn = stringList(v);
        case "strict" -> {
          // Read together with well_known_regex below.
        }
        case "email" -> r.setWellKnown(WellKnown::email, "email address");
        case "hostname" -> r.setWellKnown(WellKnown::hostname, "hostname");
        case "ip" -> r.setWellKnown(WellKnown::ip, "IP address");
        case "ipv4" -> r.setWellKnown(WellKnown::ipv4, "IPv4 address");
        case "ipv6" -> r.setWellKnown(WellKnown::ipv6, "IPv6 address");
        case "uri" -> r.setWellKnown(WellKnown::uri, "absolute URI");
        case "uri_ref" -> r.setWellKnown(WellKnown::uriRef, "URI reference");
        case "address" -> r.setWellKnown(WellKnown::address, "hostname or IP address");
        case "uuid" -> r.setWellKnown(WellKnown::uuid, "UUID");
        case "well_known_regex" -> knownRegex = rules.getWellKnownRegex();
        default -> {
          log.unsupported(name);
          continue;
        }
      }
      log.seen(name);
    }
    if (knownRegex != null) {
      // strict defaults to true; the loose form is the same for names and values.
      boolean strict = rules.getStrict();
      switch (knownRegex) {
        case HTTP_HEADER_NAME ->
            r.setWellKnown(
                strict ? WellKnown::headerName : WellKnown::headerString, "HTTP header name");
        case HTTP_HEADER_VALUE ->
            r.setWellKnown(
                strict ? WellKnown::headerValue : WellKnown::headerString, "HTTP header value");
        default -> log.unsupported("well_known_regex=" + knownRegex);
      }
    }
    return r;
  }

  private void setWellKnown(Predicate<String> check, String name) {
    wellKnown = check;
    wellKnownName = name;
  }

  @SuppressWarnings("unchecked")
  private static List<String> stringList(Object v) {
    return List.copyOf((List<String>) v);
  }

  @Override
  public void check(Object value, Walk walk) {
    String s = (String) value;
    if (ignoreEmpty && s.isEmpty()) {
      return;
    }
    if (constant != null && !constant.equals(s)) {
      walk.report("must equal " + Values.quote(constant) + ", got " + Values.quote(s));
    }
    if (len >= 0 || minLen >= 0 || maxLen >= 0) {
      int chars = s.codePointCount(0, s.length());
      if (len >= 0 && chars != len) {
        walk.report("value length must be exactly " + len + " characters, got " + Values.quote(s));
      }
      if (minLen >= 0 && chars < minLen) {
        walk.report(
            "value length must be at least " + minLen + " characters, got " + Values.quote(s));
      }
      if (maxLen >= 0 && chars > maxLen) {
        walk.report(
            "value length must be at most " + maxLen + " characters, got " + Values.quote(s));
      }
    }
    if (lenBytes >= 0 || minBytes >= 0 || maxBytes >= 0) {
      int bytes = WellKnown.utf8Length(s);
      if (lenBytes >= 0 && bytes != lenBytes) {
        walk.report("value length must be exactly " + lenBytes + " bytes, got " + bytes + " bytes");
      }
      if (minBytes >= 0 && bytes < minBytes) {
        walk.report(
            "value length must be at least " + minBytes + " bytes, got " + bytes + " bytes");
      }
      if (maxBytes >= 0 && bytes > maxBytes) {
        walk.report("value length must be at most " + maxBytes + " bytes, got " + bytes + " bytes");
      }
    }
    if (pattern != null && !pattern.matcher(s).find()) {
      walk.report(
          "must match regex " + Values.quote(pattern.pattern()) + ", got " + Values.quote(s));
    }
    if (prefix != null && !s.startsWith(prefix)) {
      walk.report("must start with " + Values.quote(prefix) + ", got " + Values.quote(s));
    }
    if (suffix != null && !s.endsWith(suffix)) {
      walk.report("must end with " + Values.quote(suffix) + ", got " + Values.quote(s));
    }
    if (contains != null && !s.contains(contains)) {
      walk.report("must contain " + Values.quote(contains) + ", got " + Values.quote(s));
    }
    if (notContains != null && s.contains(notContains)) {
      walk.report("must not contain " + Values.quote(notContains) + ", got " + Values.quote(s));
    }
    if (in != null && !in.contains(s)) {
      walk.report("must be in " + Values.list(in, Values::quote) + ", got " + Values.quote(s));
    }
    if (notIn != null && notIn.contains(s)) {
      walk.report(
          "must not be in " + Values.list(notIn, Values::quote) + ", got " + Values.quote(s));
    }
    if (wellKnown != null && !wellKnown.test(s)) {
      walk.report("must be a valid " + wellKnownName + ", got " + Values.quote(s));
    }
  }
}
