package dev.meshctl.xds.model.decode;

import dev.meshctl.xds.model.ConfigObject;
import java.util.List;

/** What one decoded Kubernetes object became. Immutable. */
public sealed interface Decoded permits Decoded.Ok, Decoded.Skipped, Decoded.Invalid {

  /**
   * A model object, with the validator's warnings ({@code Kind ns/name: field.path: message}): the
   * object is used, the warnings are reported.
   */
  record Ok(ConfigObject object, List<String> warnings) implements Decoded {
    public Ok {
      warnings = List.copyOf(warnings);
    }

    /** An object without warnings. */
    public Ok(ConfigObject object) {
      this(object, List.of());
    }
  }

  /**
   * A well-formed object of a kind the mesh does not use (a Deployment, a ConfigMap): not an error.
   * {@code what} is {@code Kind ns/name}.
   */
  record Skipped(String what, String reason) implements Decoded {}

  /**
   * An object that cannot be used, with every problem found, each as {@code field.path: message}.
   * {@code what} is {@code Kind ns/name} (as much of it as could be read).
   */
  record Invalid(String what, List<String> errors) implements Decoded {
    public Invalid {
      errors = List.copyOf(errors);
    }

    /** One line per error: {@code Service default/reviews: spec.ports[0].port: ...}. */
    public List<String> messages() {
      return errors.stream().map(e -> what + ": " + e).toList();
    }
  }
}
