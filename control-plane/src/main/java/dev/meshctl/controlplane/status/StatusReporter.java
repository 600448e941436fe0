package dev.meshctl.controlplane.status;

/**
 * Where a source reports the validation outcome of each Istio config object it reads, so that the
 * leader can show it in the object's {@code status}. Implementations are thread-safe and return at
 * once (the write, if any, happens later and only on the leader).
 */
public interface StatusReporter {
  /** Ignores every report: no cluster to write to. */
  StatusReporter NONE =
      new StatusReporter() {
        @Override
        public void report(ConfigStatus status) {}

        @Override
        public void forget(ObjectRef ref) {}
      };

  /** The object was (re)validated: this is its outcome now (valid objects too, to clear). */
  void report(ConfigStatus status);

  /** The object was deleted: nothing is to be written for it. */
  void forget(ObjectRef ref);
}
