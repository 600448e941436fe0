package dev.meshctl.controlplane.source;

import dev.meshctl.xds.model.ConfigKey;
import dev.meshctl.xds.model.ConfigObject;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The objects each config file currently contributes, with the "last good config" rule, and their
 * merge into one set for the store.
 *
 * <ul>
 *   <li>While a file has errors, objects it produced before that its good documents do not
 *       re-declare are kept, so breaking the YAML of an EndpointSlice keeps traffic on the last
 *       good endpoints.
 *   <li>Once a file parses cleanly, it contributes exactly what it declares, so deletions happen.
 *   <li>A removed file contributes nothing.
 *   <li>The same object in two files: the lexicographically first path wins, with a warning naming
 *       both files.
 * </ul>
 *
 * <p>Not thread-safe: owned by the thread that reads files (the file source's watcher thread, or
 * the starting thread before the watcher exists).
 */
final class FileSet {
  private record FileState(Map<ConfigKey, ConfigObject> objects, List<String> diagnostics) {}

  /** The merged objects and the conflict warnings the merge found. */
  record Merged(Map<ConfigKey, ConfigObject> objects, List<String> conflicts) {}

  // Sorted by path: the first file wins a conflict.
  private final TreeMap<String, FileState> files = new TreeMap<>();

  /** Records a freshly parsed file, applying the last-good rule. */
  void update(ParsedFile parsed) {
    Map<ConfigKey, ConfigObject> next = new LinkedHashMap<>(parsed.objects());
    FileState previous = files.get(parsed.file());
    if (!parsed.clean() && previous != null) {
      for (Map.Entry<ConfigKey, ConfigObject> e : previous.objects().entrySet()) {
        next.putIfAbsent(e.getKey(), e.getValue());
      }
    }
    files.put(parsed.file(), new FileState(next, parsed.diagnostics()));
  }

  /** Forgets a deleted file and everything it declared. */
  void remove(String file) {
    files.remove(file);
  }

  /** The files currently known, sorted. */
  Set<String> files() {
    return Collections.unmodifiableSet(files.keySet());
  }

  /** Every file's current diagnostics, files in path order. */
  List<String> diagnostics() {
    List<String> out = new ArrayList<>();
    files.values().forEach(f -> out.addAll(f.diagnostics()));
    return out;
  }

  /** The union of every file's objects; on a conflict the first path wins. */
  Merged merge() {
    Map<ConfigKey, ConfigObject> objects = new TreeMap<>();
    Map<ConfigKey, String> owner = new TreeMap<>();
    List<String> conflicts = new ArrayList<>();
    for (Map.Entry<String, FileState> f : files.entrySet()) {
      for (Map.Entry<ConfigKey, ConfigObject> e : f.getValue().objects().entrySet()) {
        String first = owner.putIfAbsent(e.getKey(), f.getKey());
        if (first == null) {
          objects.put(e.getKey(), e.getValue());
        } else {
          conflicts.add(
              e.getKey()
                  + ": declared in both "
                  + first
                  + " and "
                  + f.getKey()
                  + "; using "
                  + first);
        }
      }
    }
    return new Merged(objects, conflicts);
  }
}
