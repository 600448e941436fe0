package dev.meshctl.crds;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The JSON/YAML key of a record component when it differs from the component's name (Istio's
 * deprecated {@code mirror_percent} is the case that needs it). Read by the decoder and encoder.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({
  ElementType.RECORD_COMPONENT,
  ElementType.PARAMETER,
  ElementType.METHOD,
  ElementType.FIELD
})
public @interface JsonName {
  /** The key as written in YAML. */
  String value();

  /**
   * Other keys accepted on input (protobuf's original snake_case name, where Istio's CRD lists it).
   */
  String[] aliases() default {};
}
