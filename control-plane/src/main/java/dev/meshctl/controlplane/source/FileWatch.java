package dev.meshctl.controlplane.source;

import static java.nio.file.StandardWatchEventKinds.ENTRY_CREATE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_DELETE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_MODIFY;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.Path;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A debounced watch of one file's directory: whenever anything in it changes (so a Kubernetes
 * ConfigMap mount's {@code ..data} link swap is seen too) and the events have settled for a moment
 * (an editor's save arrives as truncate + write), the callback runs on the one watcher thread. The
 * callback decides whether the file really changed. Threads: {@link #start} and {@link #close} for
 * the owner; the callback only ever runs on the watcher thread.
 */
public final class FileWatch implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(FileWatch.class);

  /** How long the directory must be quiet before the callback runs. */
  public static final Duration SETTLE = Duration.ofMillis(50);

  private final Path file;
  private final Runnable onChange;
  private final WatchService watcher;
  private final Thread thread;

  private FileWatch(Path file, Runnable onChange, ThreadFactory threads) throws IOException {
    this.file = file;
    this.onChange = onChange;
    this.watcher = file.getFileSystem().newWatchService();
    file.getParent().register(watcher, ENTRY_CREATE, ENTRY_MODIFY, ENTRY_DELETE);
    this.thread = threads.newThread(this::loop);
  }

  /**
   * Starts watching {@code file}'s directory. Register before the owner's first read, so a change
   * made during that read is seen again.
   */
  public static FileWatch start(Path file, Runnable onChange, ThreadFactory threads)
      throws IOException {
    FileWatch w = new FileWatch(file.toAbsolutePath().normalize(), onChange, threads);
    w.thread.start();
    return w;
  }

  private void loop() {
    try {
      while (true) {
        WatchKey key = watcher.take();
        while (key != null) {
          key.pollEvents();
          if (!key.reset()) {
            log.warn("event=file_watch_lost file={}", file);
            return;
          }
          key = watcher.poll(SETTLE.toMillis(), TimeUnit.MILLISECONDS);
        }
        try {
          onChange.run();
        } catch (RuntimeException e) {
          log.warn("event=file_reload_failed file={}", file, e);
        }
      }
    } catch (InterruptedException | ClosedWatchServiceException e) {
      // closed
    }
  }

  /** Stops watching. Idempotent. */
  @Override
  public void close() {
    try {
      watcher.close();
    } catch (IOException e) {
      log.warn("event=file_watch_close_failed file={}", file, e);
    }
    thread.interrupt();
  }
}
