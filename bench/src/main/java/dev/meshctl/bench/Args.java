package dev.meshctl.bench;

import java.util.LinkedHashMap;
import java.util.Map;

/** {@code --name value} command-line arguments. Stateless. */
final class Args {
  private Args() {}

  /** Parses pairs; throws naming the argument when one has no value or no leading {@code --}. */
  static Map<String, String> parse(String[] args) {
    Map<String, String> out = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i += 2) {
      if (!args[i].startsWith("--") || i + 1 >= args.length) {
        throw new IllegalArgumentException("expected --name value, got '" + args[i] + "'");
      }
      out.put(args[i].substring(2), args[i + 1]);
    }
    return out;
  }

  static int intArg(Map<String, String> args, String name, int fallback) {
    String v = args.get(name);
    if (v == null) {
      return fallback;
    }
    try {
      return Integer.parseInt(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--" + name + " must be an integer, got '" + v + "'", e);
    }
  }
}
