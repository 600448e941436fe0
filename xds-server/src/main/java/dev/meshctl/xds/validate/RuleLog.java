package dev.meshctl.xds.validate;

import java.util.ArrayList;
import java.util.List;

/**
 * What the plan compiler met while reading one message's rules: every rule kind it saw (e.g. {@code
 * repeated.items.string.min_len}) and those it could not compile. Kinds it cannot compile are
 * ignored at run time, so the coverage test asserts this list stays empty for Envoy's descriptors.
 * Confined to the compiling thread.
 */
final class RuleLog {
  private final List<String> seen = new ArrayList<>();
  private final List<String> unsupported = new ArrayList<>();
  private final StringBuilder prefix = new StringBuilder();

  /** Runs {@code body} with {@code segment.} appended to the kind prefix. */
  void within(String segment, Runnable body) {
    int mark = prefix.length();
    prefix.append(segment).append('.');
    try {
      body.run();
    } finally {
      prefix.setLength(mark);
    }
  }

  void seen(String kind) {
    seen.add(prefix + kind);
  }

  void unsupported(String kind) {
    seen.add(prefix + kind);
    unsupported.add(prefix + kind);
  }

  List<String> seen() {
    return List.copyOf(seen);
  }

  List<String> unsupported() {
    return List.copyOf(unsupported);
  }
}
