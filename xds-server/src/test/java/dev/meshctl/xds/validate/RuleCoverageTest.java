package dev.meshctl.xds.validate;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.Descriptors.OneofDescriptor;
import com.google.protobuf.Message;
import io.envoyproxy.pgv.validate.Validate;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Every PGV rule kind used by the Envoy types we can emit is implemented: a new kind in a future
 * java-control-plane cannot be ignored silently. The test enumerates the rule kinds itself,
 * straight from the descriptors, and checks them against what the compiler met and compiled.
 */
class RuleCoverageTest {

  /** Every message type declared in the root files and everything they import. */
  static List<Descriptor> reachableTypes() {
    Set<FileDescriptor> seen = new LinkedHashSet<>();
    Deque<FileDescriptor> files = new ArrayDeque<>();
    EnvoyTypes.ROOTS.forEach(r -> files.add(r.getFile()));
    List<Descriptor> types = new ArrayList<>();
    while (!files.isEmpty()) {
      FileDescriptor file = files.poll();
      if (!seen.add(file)) {
        continue;
      }
      files.addAll(file.getDependencies());
      Deque<Descriptor> queue = new ArrayDeque<>(file.getMessageTypes());
      while (!queue.isEmpty()) {
        Descriptor type = queue.poll();
        types.add(type);
        queue.addAll(type.getNestedTypes());
      }
    }
    return types;
  }

  /** Rule kinds written in a FieldRules, read independently of the validator's compiler. */
  private static void kinds(String prefix, Message rules, Set<String> out) {
    for (Map.Entry<FieldDescriptor, Object> e : rules.getAllFields().entrySet()) {
      FieldDescriptor f = e.getKey();
      boolean nestedRules =
          f.getJavaType() == FieldDescriptor.JavaType.MESSAGE
              && !f.isRepeated()
              && f.getMessageType().getFile() == Validate.getDescriptor();
      if (nestedRules) {
        Message nested = (Message) e.getValue();
        if (nested.getAllFields().isEmpty()) {
          out.add(prefix + f.getName());
        }
        kinds(prefix + f.getName() + ".", nested, out);
      } else {
        out.add(prefix + f.getName());
      }
    }
  }

  @Test
  void everyRuleKindInEnvoyDescriptorsIsImplemented() {
    PgvValidator validator = new PgvValidator();
    Set<String> inDescriptors = new TreeSet<>();
    Set<String> compiled = new TreeSet<>();
    Map<String, String> unsupported = new TreeMap<>();
    List<Descriptor> types = reachableTypes();
    for (Descriptor type : types) {
      String disabledBy = PgvOptions.messageDisabledBy(type);
      if (disabledBy != null) {
        inDescriptors.add("message_options." + disabledBy);
      } else {
        for (FieldDescriptor field : type.getFields()) {
          if (field.getOptions().hasExtension(Validate.rules)) {
            kinds("", field.getOptions().getExtension(Validate.rules), inDescriptors);
          }
        }
        for (OneofDescriptor oneof : type.getRealOneofs()) {
          if (oneof.getOptions().getExtension(Validate.required)) {
            inDescriptors.add("oneof.required");
          }
        }
      }
      Plan plan = validator.plan(type);
      compiled.addAll(plan.seenKinds());
      plan.unsupportedKinds().forEach(k -> unsupported.put(k, type.getFullName()));
    }
    System.out.println(
        "PGV rule kinds in " + types.size() + " Envoy message types: " + inDescriptors);

    assertThat(unsupported).as("rule kinds the validator does not implement").isEmpty();
    // The compiler logs kinds with the same naming; nested rule wrappers (repeated.items, map.keys)
    // appear in the descriptor walk only as prefixes of their leaf kinds.
    assertThat(compiled).containsAll(withoutContainers(inDescriptors));
    // Guard against a vacuous walk: the descriptors must carry the rules Envoy is known for.
    assertThat(inDescriptors)
        .contains(
            "string.min_len",
            "uint32.lte",
            "duration.gt",
            "enum.defined_only",
            "message.required",
            "oneof.required",
            "repeated.min_items",
            "repeated.items.string.well_known_regex",
            "map.keys.string.min_len",
            "any.required");
  }

  private static Set<String> withoutContainers(Set<String> kinds) {
    Set<String> out = new TreeSet<>(kinds);
    out.removeIf(k -> kinds.stream().anyMatch(other -> other.startsWith(k + ".")));
    return out;
  }
}
