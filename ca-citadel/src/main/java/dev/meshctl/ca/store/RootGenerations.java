package dev.meshctl.ca.store;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Names of the rotated generations of a self-signed root: generation 1 is {@code ca-key.pem} /
 * {@code ca-cert.pem}; generation N &ge; 2 is {@code gen<N>-ca-key.pem} / {@code
 * gen<N>-ca-cert.pem} (the key name ends in {@code -key.pem}, so sources protect it as a key).
 * Stateless; any thread.
 */
public final class RootGenerations {
  private static final Logger log = LoggerFactory.getLogger(RootGenerations.class);
  private static final Pattern NAME = Pattern.compile("gen([1-9][0-9]{0,8})-ca-(cert|key)\\.pem");

  private RootGenerations() {}

  /** Whether {@code name} is a rotated generation's file (sources must read these too). */
  public static boolean isGenerationFile(String name) {
    Matcher m = NAME.matcher(name);
    return m.matches() && Integer.parseInt(m.group(1)) >= 2;
  }

  /** The private key file of generation {@code gen} (&ge; 2). */
  public static String keyName(int gen) {
    return "gen" + gen + "-ca-key.pem";
  }

  /** The root certificate file of generation {@code gen} (&ge; 2). */
  public static String certName(int gen) {
    return "gen" + gen + "-ca-cert.pem";
  }

  /**
   * The generations (&ge; 2) with both files present, ascending. One with a single file is a
   * rotation interrupted between its two writes: it is logged and skipped, never deleted.
   */
  static List<Integer> complete(Map<String, byte[]> files, String location) {
    Set<Integer> seen = new TreeSet<>();
    for (String name : files.keySet()) {
      Integer g = generation(name);
      if (g != null) {
        seen.add(g);
      }
    }
    List<Integer> out = new ArrayList<>();
    for (int g : seen) {
      if (files.containsKey(keyName(g)) && files.containsKey(certName(g))) {
        out.add(g);
      } else {
        log.warn(
            "event=ca_root_generation_incomplete location={} generation={} present={}"
                + " note=\"an interrupted rotation; ignored, the next rotation uses a new"
                + " generation\"",
            location,
            g,
            files.containsKey(keyName(g)) ? keyName(g) : certName(g));
      }
    }
    return out;
  }

  /** The generation a rotation writes next: above every generation any file mentions. */
  static int next(Set<String> names) {
    int max = 1;
    for (String name : names) {
      Integer g = generation(name);
      if (g != null && g > max) {
        max = g;
      }
    }
    return max + 1;
  }

  private static Integer generation(String name) {
    Matcher m = NAME.matcher(name);
    if (!m.matches()) {
      return null;
    }
    int g = Integer.parseInt(m.group(1));
    return g >= 2 ? g : null;
  }
}
