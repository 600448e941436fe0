package dev.meshctl.xds.validate;

import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.re2j.Pattern;
import io.envoyproxy.pgv.validate.Validate.BytesRules;
import java.util.List;
import java.util.Map;

/**
 * Compiled PGV {@code BytesRules}; {@code pattern} is searched in the bytes read as UTF-8, and
 * {@code ip}/{@code ipv4}/{@code ipv6} check for a 4- or 16-byte address. Immutable once compiled;
 * any thread.
 */
final class BytesRule implements ValueRule {
  private boolean ignoreEmpty;
  private ByteString constant;
  private long len = -1;
  private long minLen = -1;
  private long maxLen = -1;
  private Pattern pattern;
  private ByteString prefix;
  private ByteString suffix;
  private ByteString contains;
  private List<ByteString> in;
  private List<ByteString> notIn;
  private int ipLength; // 0: no check, -1: 4 or 16, else exact length
  private String ipName;

  private BytesRule() {}

  @SuppressWarnings("unchecked")
  static ValueRule compile(BytesRules rules, RuleLog log) {
    BytesRule r = new BytesRule();
    for (Map.Entry<FieldDescriptor, Object> e : rules.getAllFields().entrySet()) {
      String name = e.getKey().getName();
      Object v = e.getValue();
      switch (name) {
        case "ignore_empty" -> r.ignoreEmpty = (Boolean) v;
        case "const" -> r.constant = (ByteString) v;
        case "len" -> r.len = (Long) v;
        case "min_len" -> r.minLen = (Long) v;
        case "max_len" -> r.maxLen = (Long) v;
        case "pattern" -> r.pattern = Pattern.compile((String) v);
        case "prefix" -> r.prefix = (ByteString) v;
        case "suffix" -> r.suffix = (ByteString) v;
        case "contains" -> r.contains = (ByteString) v;
        case "in" -> r.in = List.copyOf((List<ByteString>) v);
        case "not_in" -> r.notIn = List.copyOf((List<ByteString>) v);
        case "ip" -> r.setIp(-1, "IP address");
        case "ipv4" -> r.setIp(4, "IPv4 address");
        case "ipv6" -> r.setIp(16, "IPv6 address");
        default -> {
          log.unsupported(name);
          continue;
        }
      }
      log.seen(name);
    }
    return r;
  }

  private void setIp(int length, String name) {
    ipLength = length;
    ipName = name;
  }

  @Override
  public void check(Object value, Walk walk) {
    ByteString b = (ByteString) value;
    if (ignoreEmpty && b.isEmpty()) {
      return;
    }
    int n = b.size();
    if (constant != null && !constant.equals(b)) {
      walk.report("must equal " + Values.quote(constant) + ", got " + Values.quote(b));
    }
    if (len >= 0 && n != len) {
      walk.report("value length must be exactly " + len + " bytes, got " + n + " bytes");
    }
    if (minLen >= 0 && n < minLen) {
      walk.report("value length must be at least " + minLen + " bytes, got " + n + " bytes");
    }
    if (maxLen >= 0 && n > maxLen) {
      walk.report("value length must be at most " + maxLen + " bytes, got " + n + " bytes");
    }
    if (pattern != null && !pattern.matcher(b.toStringUtf8()).find()) {
      walk.report(
          "must match regex " + Values.quote(pattern.pattern()) + ", got " + Values.quote(b));
    }
    if (prefix != null && !b.startsWith(prefix)) {
      walk.report("must start with " + Values.quote(prefix) + ", got " + Values.quote(b));
    }
    if (suffix != null && !b.endsWith(suffix)) {
      walk.report("must end with " + Values.quote(suffix) + ", got " + Values.quote(b));
    }
    if (contains != null && !containsBytes(b, contains)) {
      walk.report("must contain " + Values.quote(contains) + ", got " + Values.quote(b));
    }
    if (in != null && !in.contains(b)) {
      walk.report("must be in " + Values.list(in, Values::quote) + ", got " + Values.quote(b));
    }
    if (notIn != null && notIn.contains(b)) {
      walk.report(
          "must not be in " + Values.list(notIn, Values::quote) + ", got " + Values.quote(b));
    }
    if (ipLength != 0 && !(ipLength == -1 ? (n == 4 || n == 16) : n == ipLength)) {
      walk.report("must be a valid " + ipName + ", got " + n + " bytes");
    }
  }

  private static boolean containsBytes(ByteString haystack, ByteString needle) {
    int last = haystack.size() - needle.size();
    outer:
    for (int i = 0; i <= last; i++) {
      for (int j = 0; j < needle.size(); j++) {
        if (haystack.byteAt(i + j) != needle.byteAt(j)) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }
}
