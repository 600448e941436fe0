package dev.meshctl.crds;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a record component whose type is a sealed "oneof" interface whose members are written as
 * keys of the enclosing object (protobuf's oneof: {@code loadBalancer: {simple: ...}} or {@code
 * loadBalancer: {consistentHash: ...}}). Each permitted member is a record with exactly one
 * component whose (JSON) name is the key. At most one member may be present; none leaves the
 * component {@code null}.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({
  ElementType.RECORD_COMPONENT,
  ElementType.PARAMETER,
  ElementType.METHOD,
  ElementType.FIELD
})
public @interface Inline {}
