package dev.meshctl.crds;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a record component that Istio's API requires (its CRD schema lists the field under {@code
 * required}). The generated CRD schema lists it too, so the API server refuses an object without
 * it; the decoder does not check it (a missing field decodes to {@code null}), the validator does.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({
  ElementType.RECORD_COMPONENT,
  ElementType.PARAMETER,
  ElementType.METHOD,
  ElementType.FIELD
})
public @interface Required {}
