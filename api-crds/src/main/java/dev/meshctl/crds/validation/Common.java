package dev.meshctl.crds.validation;

import static dev.meshctl.crds.validation.Rules.q;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** {@code exportTo} rules shared by VirtualService, DestinationRule and ServiceEntry. Stateless. */
final class Common {
  private Common() {}

  static void exportTo(Findings f, List<String> exportTo, boolean serviceEntry) {
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < exportTo.size(); i++) {
      String e = exportTo.get(i);
      String p = "spec.exportTo[" + i + "]";
      if (!seen.add(e)) {
        f.error(p, "duplicate entry " + q(e));
      }
      boolean ok =
          e.equals(".")
              || e.equals("*")
              || (serviceEntry && e.equals("~"))
              || Rules.isLowerDnsLabel(e);
      if (!ok) {
        f.error(p, "invalid exportTo value " + q(e) + " (a namespace, \".\" or \"*\")");
      }
    }
    if (exportTo.contains("*") && exportTo.size() > 1) {
      f.error("spec.exportTo", "\"*\" must not be combined with other entries");
    }
    if (exportTo.contains("~") && exportTo.size() > 1) {
      f.error("spec.exportTo", "\"~\" must not be combined with other entries");
    }
  }
}
