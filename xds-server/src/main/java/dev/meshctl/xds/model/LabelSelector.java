package dev.meshctl.xds.model;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A Kubernetes label selector ({@code matchLabels} and {@code matchExpressions}), as used by mesh
 * config's {@code discoverySelectors}. Every requirement must hold (AND); an empty selector matches
 * everything. Immutable; any thread.
 *
 * @param matchLabels labels that must be present with exactly these values
 * @param matchExpressions further requirements, each of them must hold
 */
public record LabelSelector(Map<String, String> matchLabels, List<Requirement> matchExpressions) {

  public LabelSelector {
    matchLabels = Map.copyOf(matchLabels);
    matchExpressions = List.copyOf(matchExpressions);
  }

  /** A selector of exactly these labels. */
  public static LabelSelector ofLabels(Map<String, String> labels) {
    return new LabelSelector(labels, List.of());
  }

  /** Whether {@code labels} satisfy every requirement. */
  public boolean matches(Map<String, String> labels) {
    for (Map.Entry<String, String> e : matchLabels.entrySet()) {
      if (!e.getValue().equals(labels.get(e.getKey()))) {
        return false;
      }
    }
    for (Requirement r : matchExpressions) {
      if (!r.matches(labels)) {
        return false;
      }
    }
    return true;
  }

  /** A selector operator, as Kubernetes spells it. */
  public enum Operator {
    In,
    NotIn,
    Exists,
    DoesNotExist
  }

  /**
   * One {@code matchExpressions} entry. {@code values} is non-empty for {@code In}/{@code NotIn}
   * and empty for {@code Exists}/{@code DoesNotExist} (the decoder enforces this).
   */
  public record Requirement(String key, Operator operator, List<String> values) {
    public Requirement {
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(operator, "operator");
      values = List.copyOf(values);
    }

    boolean matches(Map<String, String> labels) {
      String v = labels.get(key);
      return switch (operator) {
        case In -> v != null && values.contains(v);
        case NotIn -> v == null || !values.contains(v);
        case Exists -> v != null;
        case DoesNotExist -> v == null;
      };
    }
  }
}
