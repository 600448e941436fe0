package dev.meshctl.crds.decode;

import java.util.List;

/** What one YAML/JSON document became. Immutable. */
public sealed interface Decoded permits Decoded.Ok, Decoded.Skipped, Decoded.Invalid {

  /** A well-formed networking object. */
  record Ok(IstioConfig config) implements Decoded {}

  /**
   * A document of a kind this decoder does not model (a Service, an EnvoyFilter, a Gateway API
   * Gateway): not an error. {@code what} is {@code Kind ns/name}.
   */
  record Skipped(String what, String reason) implements Decoded {}

  /**
   * A networking object that cannot be used, with every problem found, each {@code field.path:
   * message}. {@code what} is {@code Kind ns/name} (as much of it as could be read).
   */
  record Invalid(String what, List<String> errors) implements Decoded {
    public Invalid {
      errors = List.copyOf(errors);
    }

    /** One line per error: {@code VirtualService default/reviews: spec.http[0].rout: ...}. */
    public List<String> messages() {
      return errors.stream().map(e -> what + ": " + e).toList();
    }
  }
}
