package dev.meshctl.crds.decode;

import java.util.regex.Pattern;

/**
 * Field paths in messages: {@code spec.http[0].match[1].headers.end-user}; keys that are not plain
 * identifiers are quoted: {@code sourceLabels["app.kubernetes.io/name"]}. Stateless.
 */
public final class Paths {
  private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9_-]+");

  private Paths() {}

  /** {@code parent.key}, or {@code parent["key"]} for keys with other characters. */
  public static String child(String parent, String key) {
    return PLAIN.matcher(key).matches() ? parent + "." + key : parent + "[\"" + key + "\"]";
  }

  /** {@code parent[index]}. */
  public static String index(String parent, int index) {
    return parent + "[" + index + "]";
  }
}
