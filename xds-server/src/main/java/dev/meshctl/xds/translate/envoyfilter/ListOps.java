package dev.meshctl.xds.translate.envoyfilter;

import dev.meshctl.crds.networking.EnvoyFilter.Operation;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * An EnvoyFilter operation on an ordered list of Envoy objects (filters, filter chains, virtual
 * hosts, routes), as Istio applies it: {@code ADD} appends; {@code INSERT_FIRST} prepends; {@code
 * INSERT_BEFORE}/{@code INSERT_AFTER} insert next to the first object the match names (without a
 * name: first/last; with a name no object has: nothing); {@code REMOVE}, {@code MERGE}, {@code
 * REPLACE} act on the objects the match names (all when it names none). Pure; any thread.
 */
final class ListOps {
  private ListOps() {}

  /**
   * @param items the list
   * @param target the objects the match names; {@code null} when it names none
   * @param op the operation
   * @param value the patch value, for operations that add or replace
   * @param merge merges the patch value into one object, for MERGE
   */
  static <T> List<T> apply(
      List<T> items, Predicate<T> target, Operation op, T value, UnaryOperator<T> merge) {
    List<T> out = new ArrayList<>(items);
    switch (op) {
      case ADD -> out.add(value);
      case INSERT_FIRST -> out.add(0, value);
      case INSERT_BEFORE, INSERT_AFTER -> {
        boolean before = op == Operation.INSERT_BEFORE;
        if (target == null) {
          out.add(before ? 0 : out.size(), value);
        } else {
          for (int i = 0; i < out.size(); i++) {
            if (target.test(out.get(i))) {
              out.add(before ? i : i + 1, value);
              break;
            }
          }
        }
      }
      case REMOVE -> out.removeIf(t -> target == null || target.test(t));
      case MERGE, MERGE_AND_REPLACE_LIST ->
          out.replaceAll(t -> target == null || target.test(t) ? merge.apply(t) : t);
      case REPLACE -> {
        for (int i = 0; i < out.size(); i++) {
          if (target == null || target.test(out.get(i))) {
            out.set(i, value);
            break;
          }
        }
      }
      case INVALID -> {}
    }
    return out;
  }
}
