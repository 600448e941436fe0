package dev.meshctl.injector;

import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * An immutable Kubernetes label selector ({@code matchLabels} and {@code matchExpressions}) as used
 * by Istio's {@code neverInjectSelector}/{@code alwaysInjectSelector}. An empty selector matches
 * nothing here, as in Istio's injector (which skips empty selectors). Thread-safe.
 *
 * @param matchLabels exact label values that must all be present
 * @param expressions set-based requirements that must all hold
 */
public record LabelSelectorMatcher(Map<String, String> matchLabels, List<Requirement> expressions) {

  public LabelSelectorMatcher {
    matchLabels = Map.copyOf(new TreeMap<>(matchLabels));
    expressions = List.copyOf(expressions);
  }

  /**
   * One {@code matchExpressions} entry.
   *
   * @param operator {@code In}, {@code NotIn}, {@code Exists} or {@code DoesNotExist}
   */
  public record Requirement(String key, String operator, List<String> values) {
    public Requirement {
      values = List.copyOf(values);
    }
  }

  /**
   * Converts a fabric8 selector; an unknown operator is an error naming the selector index.
   *
   * @param where the field path for error messages, e.g. {@code config.neverInjectSelector[0]}
   */
  public static LabelSelectorMatcher of(LabelSelector selector, String where) {
    Map<String, String> labels =
        selector.getMatchLabels() == null ? Map.of() : selector.getMatchLabels();
    List<Requirement> reqs = new ArrayList<>();
    List<LabelSelectorRequirement> exprs =
        selector.getMatchExpressions() == null ? List.of() : selector.getMatchExpressions();
    for (int i = 0; i < exprs.size(); i++) {
      LabelSelectorRequirement r = exprs.get(i);
      String op = r.getOperator() == null ? "" : r.getOperator();
      if (!List.of("In", "NotIn", "Exists", "DoesNotExist").contains(op)) {
        throw new IllegalArgumentException(
            where
                + ".matchExpressions["
                + i
                + "].operator: unknown operator \""
                + op
                + "\" (want In, NotIn, Exists or DoesNotExist)");
      }
      reqs.add(
          new Requirement(
              r.getKey(), op, r.getValues() == null ? List.of() : List.copyOf(r.getValues())));
    }
    return new LabelSelectorMatcher(labels, reqs);
  }

  /** True when the selector is non-empty and every term holds for {@code labels}. */
  public boolean matches(Map<String, String> labels) {
    if (matchLabels.isEmpty() && expressions.isEmpty()) {
      return false;
    }
    for (Map.Entry<String, String> e : matchLabels.entrySet()) {
      if (!e.getValue().equals(labels.get(e.getKey()))) {
        return false;
      }
    }
    for (Requirement r : expressions) {
      Optional<String> value = Optional.ofNullable(labels.get(r.key()));
      boolean ok =
          switch (r.operator()) {
            case "In" -> value.isPresent() && r.values().contains(value.get());
            case "NotIn" -> value.isEmpty() || !r.values().contains(value.get());
            case "Exists" -> value.isPresent();
            default -> value.isEmpty(); // DoesNotExist; the constructor admits nothing else
          };
      if (!ok) {
        return false;
      }
    }
    return true;
  }
}
