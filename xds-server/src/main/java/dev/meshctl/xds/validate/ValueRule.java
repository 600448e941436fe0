package dev.meshctl.xds.validate;

/**
 * A compiled PGV check on one field value (a scalar, an enum value descriptor, or a message such as
 * a Duration, Any or wrapper). Reports to the walk, at its current path, instead of throwing.
 * Immutable; any thread.
 */
interface ValueRule {
  void check(Object value, Walk walk);
}
