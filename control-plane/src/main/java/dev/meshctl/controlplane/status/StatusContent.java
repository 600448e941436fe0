package dev.meshctl.controlplane.status;

import dev.meshctl.crds.validation.Finding;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * Computes an object's {@code status} (Istio's {@code IstioStatus}: {@code conditions}, {@code
 * validationMessages}, {@code observedGeneration}) from its current status and its validation
 * outcome. Pure: the time is passed in. Only our own entries are touched — the {@code Reconciled}
 * condition and validation messages of code {@value #CODE} — so what other writers (analysis) put
 * there survives; an unchanged outcome gives back an equal map (with the old transition time),
 * which is how the writer knows not to write. Thread-safe (stateless).
 */
public final class StatusContent {
  /** Istio's analyzer code for a schema validation error. */
  public static final String CODE = "IST0106";

  /** Its name. */
  public static final String CODE_NAME = "SchemaValidationError";

  /** Our condition type. */
  public static final String CONDITION = "Reconciled";

  /** The reason of our condition when the object was refused. */
  public static final String REASON = "ValidationFailed";

  static final String DOCS = "https://istio.io/latest/docs/reference/config/analysis/ist0106/";

  private StatusContent() {}

  /**
   * The status to hold after this outcome.
   *
   * @param current the object's status now (empty map when none); not modified
   * @param outcome the validation outcome
   * @param now the transition time for a condition that changes
   */
  public static Map<String, Object> next(
      Map<String, Object> current, ConfigStatus outcome, Instant now) {
    Map<String, Object> out = new LinkedHashMap<>(current);
    List<Object> conditions = new ArrayList<>(list(current.get("conditions")));
    Map<String, Object> oldCondition = null;
    for (Object c : conditions) {
      if (c instanceof Map<?, ?> m && CONDITION.equals(m.get("type"))) {
        oldCondition = cast(m);
      }
    }
    conditions.removeIf(c -> c instanceof Map<?, ?> m && CONDITION.equals(m.get("type")));
    List<Object> messages = new ArrayList<>(list(current.get("validationMessages")));
    messages.removeIf(StatusContent::ours);

    boolean any = !outcome.findings().isEmpty();
    if (outcome.invalid()) {
      Map<String, Object> condition = new LinkedHashMap<>();
      condition.put("type", CONDITION);
      condition.put("status", "False");
      condition.put("reason", REASON);
      condition.put(
          "message",
          outcome.findings().stream()
              .filter(f -> f.severity() == Finding.Severity.ERROR)
              .map(f -> f.path().isEmpty() ? f.message() : f.path() + ": " + f.message())
              .collect(Collectors.joining("; ")));
      condition.put("observedGeneration", outcome.generation());
      condition.put("lastTransitionTime", now.toString());
      if (oldCondition != null && sameExceptTime(oldCondition, condition)) {
        condition = oldCondition;
      }
      conditions.add(condition);
    }
    for (Finding f : outcome.findings()) {
      Map<String, Object> type = new LinkedHashMap<>();
      type.put("code", CODE);
      type.put("name", CODE_NAME);
      Map<String, Object> message = new LinkedHashMap<>();
      message.put("documentationUrl", DOCS);
      message.put("level", f.severity() == Finding.Severity.ERROR ? "ERROR" : "WARNING");
      message.put("type", type);
      messages.add(message);
    }
    put(out, "conditions", conditions);
    put(out, "validationMessages", messages);
    if (any) {
      out.put("observedGeneration", outcome.generation());
    } else if (!out.containsKey("conditions") && !out.containsKey("validationMessages")) {
      out.remove("observedGeneration");
    }
    return out;
  }

  /** Same content after a JSON round trip (numbers may come back as another Number type). */
  public static boolean same(Map<String, Object> a, Map<String, Object> b) {
    return normalize(a).equals(normalize(b));
  }

  private static Object normalize(Object o) {
    if (o instanceof Map<?, ?> m) {
      Map<String, Object> out = new LinkedHashMap<>();
      m.forEach((k, v) -> out.put(String.valueOf(k), normalize(v)));
      return out;
    }
    if (o instanceof List<?> l) {
      return l.stream().map(StatusContent::normalize).toList();
    }
    if (o instanceof Number n) {
      return n.longValue() == n.doubleValue() ? (Object) n.longValue() : (Object) n.doubleValue();
    }
    return o;
  }

  private static boolean sameExceptTime(Map<String, Object> old, Map<String, Object> next) {
    Map<String, Object> a = new LinkedHashMap<>(old);
    Map<String, Object> b = new LinkedHashMap<>(next);
    a.remove("lastTransitionTime");
    b.remove("lastTransitionTime");
    return normalize(a).equals(normalize(b));
  }

  private static boolean ours(Object message) {
    return message instanceof Map<?, ?> m
        && m.get("type") instanceof Map<?, ?> t
        && Objects.equals(CODE, t.get("code"));
  }

  private static void put(Map<String, Object> status, String key, List<Object> values) {
    if (values.isEmpty()) {
      status.remove(key);
    } else {
      status.put(key, values);
    }
  }

  private static List<?> list(Object o) {
    return o instanceof List<?> l ? l : List.of();
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> cast(Map<?, ?> m) {
    return (Map<String, Object>) m;
  }
}
