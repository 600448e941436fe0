package dev.meshctl.ca.store;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where CA key material lives, as named byte blobs (file name to contents): a directory today, a
 * Kubernetes Secret ({@code istio-ca-secret} or {@code cacerts}) later. Implementations must never
 * overwrite an existing entry. Thread-safety is the implementation's to state.
 */
public interface CaSource {
  /** A human-readable location used in error messages, e.g. a directory path. */
  String location();

  /** The entries present, by name; absent names are simply missing from the map. */
  Map<String, byte[]> read() throws IOException;

  /**
   * Creates the given entries in iteration order, each atomically, failing (and leaving existing
   * data untouched) if any already exists. Entries whose names end in {@code -key.pem} are private
   * keys and must be readable only by their owner.
   *
   * @throws java.nio.file.FileAlreadyExistsException if an entry already exists
   */
  void createAll(LinkedHashMap<String, byte[]> entries) throws IOException;
}
