package dev.meshctl.xds.validate;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor.JavaType;
import com.google.protobuf.Descriptors.OneofDescriptor;
import com.google.protobuf.Message;
import dev.meshctl.xds.validate.Plan.FieldPlan;
import dev.meshctl.xds.validate.Plan.Shape;
import dev.meshctl.xds.validate.Plan.ValueSpec;
import io.envoyproxy.pgv.validate.Validate.FieldRules;
import io.envoyproxy.pgv.validate.Validate.MapRules;
import io.envoyproxy.pgv.validate.Validate.RepeatedRules;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * Compiles one message type's PGV options into a {@link Plan}. Every option field it meets is
 * either compiled or logged as unsupported, never skipped silently: the switch statements here are
 * the list of implemented rule kinds. Stateless; any thread.
 */
final class PlanCompiler {
  private PlanCompiler() {}

  private static final ValueRule[] NO_RULES = new ValueRule[0];

  /**
   * @param needsVisit whether a message type has anything to check in it or below it
   */
  static Plan compile(Descriptor type, Predicate<Descriptor> needsVisit) {
    RuleLog log = new RuleLog();
    String disabledBy = PgvOptions.messageDisabledBy(type);
    if (disabledBy != null) {
      log.within("message_options", () -> log.seen(disabledBy));
      return new Plan(
          true,
          new FieldPlan[0],
          new OneofDescriptor[0],
          new String[0],
          log.seen(),
          log.unsupported());
    }
    List<FieldPlan> fields = new ArrayList<>();
    for (FieldDescriptor field : type.getFields()) {
      FieldPlan plan = compileField(field, PgvOptions.fieldRules(field), log, needsVisit);
      if (plan != null) {
        fields.add(plan);
      }
    }
    List<OneofDescriptor> oneofs = new ArrayList<>();
    List<String> messages = new ArrayList<>();
    for (OneofDescriptor oneof : type.getRealOneofs()) {
      if (PgvOptions.oneofRequired(oneof)) {
        log.within("oneof", () -> log.seen("required"));
        oneofs.add(oneof);
        List<String> names = new ArrayList<>();
        oneof.getFields().forEach(f -> names.add(f.getName()));
        messages.add("exactly one of " + names + " is required");
      }
    }
    return new Plan(
        false,
        fields.toArray(new FieldPlan[0]),
        oneofs.toArray(new OneofDescriptor[0]),
        messages.toArray(new String[0]),
        log.seen(),
        log.unsupported());
  }

  private static FieldPlan compileField(
      FieldDescriptor field, FieldRules rules, RuleLog log, Predicate<Descriptor> needsVisit) {
    FieldRules.TypeCase typeCase = rules == null ? null : rules.getTypeCase();
    if (field.isMapField()) {
      MapRules map = MapRules.getDefaultInstance();
      if (typeCase == FieldRules.TypeCase.MAP) {
        map = rules.getMap();
        logMapKinds(map, log);
      } else if (rules != null) {
        log.unsupported("non-map rules on map field " + field.getFullName());
      }
      Descriptor entry = field.getMessageType();
      MapRules m = map;
      ValueSpec[] specs = new ValueSpec[2];
      log.within(
          "map",
          () -> {
            specs[0] =
                compileValue(
                    m.hasKeys() ? m.getKeys() : null,
                    entry.findFieldByNumber(1),
                    "keys",
                    log,
                    needsVisit);
            specs[1] =
                compileValue(
                    m.hasValues() ? m.getValues() : null,
                    entry.findFieldByNumber(2),
                    "values",
                    log,
                    needsVisit);
          });
      if (specs[0].isEmpty() && specs[1].isEmpty() && !map.hasMinPairs() && !map.hasMaxPairs()) {
        return null;
      }
      return new FieldPlan(
          field,
          Shape.MAP,
          specs[1],
          specs[0],
          map.hasMinPairs() ? map.getMinPairs() : -1,
          map.hasMaxPairs() ? map.getMaxPairs() : -1,
          false,
          map.getIgnoreEmpty());
    }
    if (field.isRepeated()) {
      RepeatedRules repeated = RepeatedRules.getDefaultInstance();
      if (typeCase == FieldRules.TypeCase.REPEATED) {
        repeated = rules.getRepeated();
        logRepeatedKinds(repeated, log);
      } else if (rules != null) {
        log.unsupported("non-repeated rules on repeated field " + field.getFullName());
      }
      RepeatedRules r = repeated;
      ValueSpec[] items = new ValueSpec[1];
      log.within(
          "repeated",
          () ->
              items[0] =
                  compileValue(
                      r.hasItems() ? r.getItems() : null, field, "items", log, needsVisit));
      if (items[0].isEmpty()
          && !repeated.hasMinItems()
          && !repeated.hasMaxItems()
          && !repeated.getUnique()) {
        return null;
      }
      return new FieldPlan(
          field,
          Shape.REPEATED,
          items[0],
          null,
          repeated.hasMinItems() ? repeated.getMinItems() : -1,
          repeated.hasMaxItems() ? repeated.getMaxItems() : -1,
          repeated.getUnique(),
          repeated.getIgnoreEmpty());
    }
    if (typeCase == FieldRules.TypeCase.REPEATED || typeCase == FieldRules.TypeCase.MAP) {
      log.unsupported(typeCase + " rules on singular field " + field.getFullName());
      rules = null;
    }
    ValueSpec value = compileValue(rules, field, null, log, needsVisit);
    if (value.required() && field.getRealContainingOneof() != null) {
      // PGV checks a oneof member only when its case is selected, and a selected message case is
      // never absent: "required" there cannot fail.
      value = new ValueSpec(value.rules(), false, value.visit());
    }
    if (value.isEmpty()) {
      return null;
    }
    Shape shape = field.getJavaType() == JavaType.MESSAGE ? Shape.MESSAGE : Shape.SCALAR;
    return new FieldPlan(field, shape, value, null, -1, -1, false, false);
  }

  private static void logRepeatedKinds(RepeatedRules rules, RuleLog log) {
    log.within(
        "repeated",
        () -> {
          for (FieldDescriptor f : rules.getAllFields().keySet()) {
            switch (f.getName()) {
              case "min_items", "max_items", "unique", "ignore_empty" -> log.seen(f.getName());
              case "items" -> {}
              default -> log.unsupported(f.getName());
            }
          }
        });
  }

  private static void logMapKinds(MapRules rules, RuleLog log) {
    log.within(
        "map",
        () -> {
          for (FieldDescriptor f : rules.getAllFields().keySet()) {
            switch (f.getName()) {
              // Java maps cannot hold null values, so no_sparse always holds.
              case "min_pairs", "max_pairs", "no_sparse", "ignore_empty" -> log.seen(f.getName());
              case "keys", "values" -> {}
              default -> log.unsupported(f.getName());
            }
          }
        });
  }

  /**
   * Compiles the rules for one value whose type is {@code valueField}'s type.
   *
   * @param segment kind prefix for the log ({@code items}, {@code keys}, {@code values}) or null
   */
  private static ValueSpec compileValue(
      FieldRules rules,
      FieldDescriptor valueField,
      String segment,
      RuleLog log,
      Predicate<Descriptor> needsVisit) {
    boolean isMessage = valueField.getJavaType() == JavaType.MESSAGE;
    boolean[] flags = new boolean[2]; // required, skip
    List<ValueRule> compiled = new ArrayList<>(1);
    if (rules != null) {
      Runnable body = () -> compileRules(rules, valueField, log, flags, compiled);
      if (segment == null) {
        body.run();
      } else {
        log.within(segment, body);
      }
    }
    boolean visit = isMessage && !flags[1] && needsVisit.test(valueField.getMessageType());
    return new ValueSpec(compiled.toArray(NO_RULES), flags[0], visit);
  }

  private static void compileRules(
      FieldRules rules,
      FieldDescriptor valueField,
      RuleLog log,
      boolean[] flags,
      List<ValueRule> out) {
    for (FieldDescriptor f : rules.getAllFields().keySet()) {
      if (!f.getName().equals("message") && f.getContainingOneof() == null) {
        log.unsupported(f.getName());
      }
    }
    if (rules.hasMessage()) {
      log.within(
          "message",
          () -> {
            for (FieldDescriptor f : rules.getMessage().getAllFields().keySet()) {
              switch (f.getName()) {
                case "required" -> flags[0] |= rules.getMessage().getRequired();
                case "skip" -> flags[1] |= rules.getMessage().getSkip();
                default -> {
                  log.unsupported(f.getName());
                  continue;
                }
              }
              log.seen(f.getName());
            }
          });
    }
    FieldRules.TypeCase typeCase = rules.getTypeCase();
    if (typeCase == FieldRules.TypeCase.TYPE_NOT_SET) {
      return;
    }
    FieldDescriptor typeField = FieldRules.getDescriptor().findFieldByNumber(typeCase.getNumber());
    String kind = typeField.getName();
    Message typed = (Message) rules.getField(typeField);
    boolean isMessage = valueField.getJavaType() == JavaType.MESSAGE;
    ValueRule[] rule = new ValueRule[1];
    log.within(
        kind,
        () ->
            rule[0] =
                switch (typeCase) {
                  case FLOAT, DOUBLE -> NumberRules.compileDouble(kind, typed, log);
                  case INT32,
                      INT64,
                      UINT32,
                      UINT64,
                      SINT32,
                      SINT64,
                      FIXED32,
                      FIXED64,
                      SFIXED32,
                      SFIXED64 ->
                      NumberRules.compileInt(kind, typed, log);
                  case BOOL -> TypedRules.bool(rules.getBool(), log);
                  case STRING -> StringRule.compile(rules.getString(), log);
                  case BYTES -> BytesRule.compile(rules.getBytes(), log);
                  case ENUM -> {
                    if (valueField.getJavaType() != JavaType.ENUM) {
                      log.unsupported("enum rules on non-enum " + valueField.getFullName());
                      yield null;
                    }
                    yield TypedRules.enumeration(rules.getEnum(), valueField.getEnumType(), log);
                  }
                  case DURATION -> {
                    flags[0] |= rules.getDuration().getRequired();
                    yield TypedRules.duration(rules.getDuration(), log);
                  }
                  case TIMESTAMP -> {
                    flags[0] |= rules.getTimestamp().getRequired();
                    yield TypedRules.timestamp(rules.getTimestamp(), log);
                  }
                  case ANY -> {
                    flags[0] |= rules.getAny().getRequired();
                    yield TypedRules.any(rules.getAny(), log);
                  }
                  default -> {
                    log.unsupported("nested " + kind);
                    yield null;
                  }
                });
    if (rule[0] == null) {
      return;
    }
    boolean wellKnownMessage =
        typeCase == FieldRules.TypeCase.DURATION
            || typeCase == FieldRules.TypeCase.TIMESTAMP
            || typeCase == FieldRules.TypeCase.ANY;
    // Scalar rules on a message field apply to a google.protobuf.*Value wrapper's value.
    out.add(isMessage && !wellKnownMessage ? TypedRules.wrapper(rule[0]) : rule[0]);
  }
}
