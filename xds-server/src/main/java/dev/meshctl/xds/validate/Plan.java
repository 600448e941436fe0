package dev.meshctl.xds.validate;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.OneofDescriptor;
import java.util.List;

/**
 * Everything to check on messages of one type, compiled once from its descriptor's PGV options.
 * Fields with neither rules nor anything to check below them are left out, so a valid message costs
 * only the reflective reads of fields that matter. Immutable; any thread.
 *
 * @param disabled the message type is {@code validate.disabled} or {@code validate.ignored}
 * @param fields the fields to visit, in declaration order
 * @param requiredOneofs oneofs marked {@code validate.required}
 * @param oneofMessages the violation message of each required oneof, same order
 * @param seenKinds every rule kind met while compiling, e.g. {@code string.min_len}
 * @param unsupportedKinds the subset this validator does not implement (ignored at run time)
 */
record Plan(
    boolean disabled,
    FieldPlan[] fields,
    OneofDescriptor[] requiredOneofs,
    String[] oneofMessages,
    List<String> seenKinds,
    List<String> unsupportedKinds) {

  /** How the field is read. */
  enum Shape {
    SCALAR,
    MESSAGE,
    REPEATED,
    MAP
  }

  /**
   * Checks on one value: a singular field's value, each item of a repeated field, or a map key or
   * value.
   *
   * @param rules checks on the value itself (never null, maybe empty)
   * @param required report an unset singular message field as {@code is required}
   * @param visit the value is a message to descend into (an Any is unpacked first)
   */
  record ValueSpec(ValueRule[] rules, boolean required, boolean visit) {
    boolean isEmpty() {
      return rules.length == 0 && !required && !visit;
    }
  }

  /**
   * Checks on one field.
   *
   * @param value checks on the value (singular), each item (repeated) or each map value (map)
   * @param key checks on each map key (map fields only, else null)
   * @param minItems minimum items or pairs, -1 for none
   * @param maxItems maximum items or pairs, -1 for none
   * @param unique repeated items must be distinct
   * @param ignoreEmpty skip all checks when the repeated field or map is empty
   */
  record FieldPlan(
      FieldDescriptor field,
      Shape shape,
      ValueSpec value,
      ValueSpec key,
      long minItems,
      long maxItems,
      boolean unique,
      boolean ignoreEmpty) {}
}
