package dev.meshctl.controlplane.source;

import static java.nio.file.StandardWatchEventKinds.ENTRY_CREATE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_DELETE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_MODIFY;

import dev.meshctl.controlplane.store.ConfigStore;
import dev.meshctl.xds.model.MeshConfig;
import dev.meshctl.xds.model.decode.MeshConfigDecoder;
import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
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
  private static final Duration SETTLE = Duration.ofMillis(50);

  private final Path file;
  private final ConfigStore store;
  private final String sourceName;
  private final ThreadFactory threadFactory;
  private String lastText; // watcher thread (and start, before it exists)
  private volatile List<String> diagnostics = List.of();
  private WatchService watcher;
  private Thread thread;

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
    if (watcher != null) {
      throw new IllegalStateException("already started");
    }
    if (!Files.isRegularFile(file)) {
      throw new NoSuchFileException(file.toString(), null, "mesh config file does not exist");
    }
    watcher = file.getFileSystem().newWatchService();
    // Watch before reading, so a change made during the first read is seen again.
    file.getParent().register(watcher, ENTRY_CREATE, ENTRY_MODIFY, ENTRY_DELETE);
    reload();
    thread = threadFactory.newThread(this::watchLoop);
    thread.start();
  }

  /** The current problems of the file, each {@code <file>: mesh config: <field>: <message>}. */
  public List<String> diagnostics() {
    return diagnostics;
  }

  private void watchLoop() {
    try {
      while (true) {
        WatchKey key = watcher.take();
        // An editor's write arrives as several events (truncate, write): wait until they settle,
        // so a half-written file is not read.
        while (key != null) {
          key.pollEvents();
          if (!key.reset()) {
            log.warn("event=mesh_config_watch_lost file={}", file);
            return;
          }
          key = watcher.poll(SETTLE.toMillis(), TimeUnit.MILLISECONDS);
        }
        reload();
      }
    } catch (InterruptedException | ClosedWatchServiceException e) {
      // closed
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
    if (watcher != null) {
      try {
        watcher.close();
      } catch (IOException e) {
        log.warn("event=mesh_config_watch_close_failed file={}", file, e);
      }
    }
    if (thread != null) {
      thread.interrupt();
    }
  }
}
