package dev.meshctl.controlplane.source;

import dev.meshctl.controlplane.store.ConfigStore;
import dev.meshctl.xds.model.MeshConfig;
import dev.meshctl.xds.model.decode.MeshConfigDecoder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ThreadFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Feeds the {@link ConfigStore} with the mesh config of one YAML file ({@code meshctl serve
 * --mesh-config}), decoded by {@link MeshConfigDecoder}, and re-reads it whenever anything in its
 * directory changes (so a Kubernetes ConfigMap mount's {@code ..data} link swap is seen too); an
 * unchanged text is not decoded again. The store gets the config under {@link MeshConfig#KEY}, so a
 * change is an ordinary full push.
 *
 * <p>A file with errors is reported in {@link #diagnostics()} and logged; the last good config
 * stays in the store (Istio's defaults when there never was one). A deleted file keeps the last
 * good config too, as a ConfigMap mount briefly has no file during an update.
 *
 * <p>Source name {@value #SOURCE_NAME_PREFIX}{@code <path>}: it sorts before {@code file:} and
 * {@code kubernetes}, so the explicit file wins over the {@code istio} ConfigMap.
 *
 * <p>Threads: {@link #start()} and {@link #close()} are for the owner; after start the file is read
 * only by the one watcher thread. {@link #diagnostics()} may be called from any thread.
 */
public final class MeshConfigFileSource implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(MeshConfigFileSource.class);

  /** The store source name's prefix (the absolute path follows). */
  public static final String SOURCE_NAME_PREFIX = "file-mesh-config:";

  /** How long the directory must be quiet before the file is read again. */
  private final Path file;

  private final ConfigStore store;
  private final String sourceName;
  private final ThreadFactory threadFactory;
  private String lastText; // watcher thread (and start, before it exists)
  private volatile List<String> diagnostics = List.of();
  private FileWatch watch;

  /**
   * @param file the mesh config YAML; must exist when {@link #start()} is called
   * @param store where the config goes
   * @param threadFactory makes the one watcher thread
   */
  public MeshConfigFileSource(Path file, ConfigStore store, ThreadFactory threadFactory) {
    this.file = file.toAbsolutePath().normalize();
    this.store = Objects.requireNonNull(store, "store");
    this.sourceName = SOURCE_NAME_PREFIX + this.file;
    this.threadFactory = Objects.requireNonNull(threadFactory, "threadFactory");
  }

  /** The file, absolute. */
  public Path file() {
    return file;
  }

  /**
   * Reads the file into the store and starts watching it.
   *
   * @throws NoSuchFileException when the file does not exist
   */
  public synchronized void start() throws IOException {
    if (watch != null) {
      throw new IllegalStateException("already started");
    }
    if (!Files.isRegularFile(file)) {
      throw new NoSuchFileException(file.toString(), null, "mesh config file does not exist");
    }
    // Watch before reading, so a change made during the first read is seen again. Reloads run on
    // the watch's one thread, after an editor's several events have settled.
    watch = FileWatch.start(file, this::reloadFromWatch, threadFactory);
    reload();
  }

  /** The current problems of the file, each {@code <file>: mesh config: <field>: <message>}. */
  public List<String> diagnostics() {
    return diagnostics;
  }

  private void reloadFromWatch() {
    synchronized (this) {
      reload();
    }
  }

  private void reload() {
    String text;
    try {
      text = Files.readString(file);
    } catch (IOException e) {
      // Missing for a moment (a ConfigMap mount's swap) or unreadable: keep the last good config.
      log.debug("event=mesh_config_unreadable file={} error=\"{}\"", file, e.getMessage());
      return;
    }
    if (text.equals(lastText)) {
      return;
    }
    lastText = text;
    MeshConfigDecoder.Result r = MeshConfigDecoder.decode(text);
    r.warnings().forEach(w -> log.warn("event=config_warning file={} warning=\"{}\"", file, w));
    if (r.config().isEmpty()) {
      diagnostics = r.errors().stream().map(e -> file + ": " + e).toList();
      diagnostics.forEach(
          d ->
              log.warn(
                  "event=config_problem source={} problem=\"{}\" action=\"keeping the last good"
                      + " mesh config\"",
                  sourceName,
                  d));
      return;
    }
    if (!diagnostics.isEmpty()) {
      log.info("event=config_problem_resolved source={}", sourceName);
    }
    diagnostics = List.of();
    store.upsert(sourceName, r.config().get());
    log.info(
        "event=mesh_config_loaded file={} outbound_traffic_policy={} discovery_selectors={}",
        file,
        r.config().get().outboundTrafficPolicy(),
        r.config().get().discoverySelectors().size());
  }

  /** Stops watching; the config stays in the store. Idempotent. */
  @Override
  public synchronized void close() {
    if (watch != null) {
      watch.close();
    }
  }
}
