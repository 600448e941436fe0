package dev.meshctl.controlplane.source;

import static java.nio.file.StandardWatchEventKinds.ENTRY_CREATE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_DELETE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_MODIFY;
import static java.nio.file.StandardWatchEventKinds.OVERFLOW;

import dev.meshctl.controlplane.store.ConfigStore;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Feeds the {@link ConfigStore} from a directory of multi-document Kubernetes YAML ({@code *.yaml},
 * {@code *.yml}, {@code *.json}, recursively; hidden files and directories, whose names start with
 * {@code .}, are ignored as editors and Kubernetes ConfigMap mounts keep their temporary data
 * there). Reads everything in {@link #start()}, then watches the tree with a {@link WatchService}
 * and re-reads only the files that changed. See {@link FileSet} for what a file with errors keeps.
 *
 * <p>Watching: creations, modifications and deletions; a rename over an existing file arrives as a
 * create of the target and is read like a modification; a change of a hidden entry (a temp file, a
 * ConfigMap mount's {@code ..data} link swap) re-reads the visible files of its directory; new
 * subdirectories are registered and read; OVERFLOW (lost events) triggers a full rescan. Events
 * arriving within {@code coalesce} of each other are handled as one batch, one store update.
 *
 * <p>Threads: {@link #start()} and {@link #close()} are called by the owner; after start, all file
 * state is confined to the single watcher thread made by the injected {@link ThreadFactory}, which
 * blocks in {@link WatchService#take()} (no polling loop) and ends on {@link #close()}. {@link
 * #diagnostics()} may be called from any thread.
 */
public final class FileSource implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(FileSource.class);

  private final Path root;
  private final ConfigStore store;
  private final String sourceName;
  private final ThreadFactory threadFactory;
  private final Duration coalesce;
  private final FileSet fileSet = new FileSet();
  private final Map<WatchKey, Path> watchedDirs = new HashMap<>();
  private List<String> conflicts = List.of();
  private volatile List<String> diagnostics = List.of();
  private WatchService watcher;
  private Thread thread;

  /**
   * @param root the config directory; must exist when {@link #start()} is called
   * @param store where objects go, under source name {@code file:<root>}
   * @param threadFactory makes the one watcher thread
   * @param coalesce how long to wait for more events before handling a batch
   */
  public FileSource(Path root, ConfigStore store, ThreadFactory threadFactory, Duration coalesce) {
    this.root = root.toAbsolutePath().normalize();
    this.store = Objects.requireNonNull(store, "store");
    this.sourceName = "file:" + this.root;
    this.threadFactory = Objects.requireNonNull(threadFactory, "threadFactory");
    this.coalesce = Objects.requireNonNull(coalesce, "coalesce");
  }

  /** The watched directory, absolute. */
  public Path root() {
    return root;
  }

  /**
   * Registers the watches, reads every file, applies the result to the store and starts the watcher
   * thread. Returns once the first load is in the store.
   *
   * @throws NoSuchFileException when the directory does not exist
   */
  public synchronized void start() throws IOException {
    if (watcher != null) {
      throw new IllegalStateException("already started");
    }
    if (!Files.isDirectory(root)) {
      throw new NoSuchFileException(root.toString(), null, "config directory does not exist");
    }
    watcher = root.getFileSystem().newWatchService();
    // Watch before reading, so a change made during the first read is seen again afterwards.
    registerTree(root);
    Set<Path> all = configFilesUnder(root);
    reload(all, true);
    log.info(
        "event=config_loaded dir={} files={} objects={} problems={}",
        root,
        fileSet.files().size(),
        fileSet.merge().objects().size(),
        diagnostics.size());
    thread = threadFactory.newThread(this::watchLoop);
    thread.start();
  }

  /**
   * Every current problem of the directory: each file's diagnostics, then conflicts between files.
   * A snapshot; any thread.
   */
  public List<String> diagnostics() {
    return diagnostics;
  }

  /** Stops watching and waits (briefly) for the watcher thread to end. Idempotent. */
  @Override
  public void close() {
    Thread t;
    synchronized (this) {
      t = thread;
      thread = null;
      if (watcher != null) {
        try {
          watcher.close(); // wakes take() with ClosedWatchServiceException
        } catch (IOException e) {
          log.warn("event=watch_close_failed dir={} error=\"{}\"", root, e.getMessage());
        }
      }
    }
    if (t != null && t != Thread.currentThread()) {
      try {
        t.join(TimeUnit.SECONDS.toMillis(5));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private void watchLoop() {
    try {
      while (true) {
        Batch batch = new Batch();
        collect(watcher.take(), batch);
        WatchKey more;
        while ((more = watcher.poll(coalesce.toMillis(), TimeUnit.MILLISECONDS)) != null) {
          collect(more, batch);
        }
        try {
          handle(batch);
        } catch (IOException | RuntimeException e) {
          // Keep watching: the next event (or an overflow) retries.
          log.error("event=config_reload_failed dir={}", root, e);
        }
      }
    } catch (ClosedWatchServiceException | InterruptedException e) {
      log.debug("event=watch_stopped dir={}", root);
    }
  }

  /** The paths a batch of events touched. */
  private static final class Batch {
    final Set<Path> paths = new HashSet<>();
    boolean rescan;
  }

  private void collect(WatchKey key, Batch batch) {
    Path dir = watchedDirs.get(key);
    for (WatchEvent<?> event : key.pollEvents()) {
      if (event.kind() == OVERFLOW || dir == null) {
        batch.rescan = true;
      } else {
        batch.paths.add(dir.resolve((Path) event.context()));
      }
    }
    if (!key.reset()) {
      watchedDirs.remove(key); // the directory is gone
    }
  }

  private void handle(Batch batch) throws IOException {
    if (batch.rescan) {
      log.info("event=config_rescan dir={} reason=overflow", root);
      registerTree(root);
      Set<Path> files = configFilesUnder(root);
      // Files we knew that are gone now are re-checked, and so removed.
      fileSet.files().forEach(f -> files.add(root.resolve(f)));
      reload(files, false);
      return;
    }
    Set<Path> files = new HashSet<>();
    for (Path p : batch.paths) {
      if (ConfigFiles.hidden(p)) {
        // A temp file renamed into place, or a ConfigMap ..data swap: re-read the visible files.
        Path dir = p.getParent();
        filesUnderKnown(dir, true, files);
        if (Files.isDirectory(dir)) {
          try (Stream<Path> s = Files.list(dir)) {
            s.filter(ConfigFiles::isConfigFile).forEach(files::add);
          }
        }
      } else if (Files.isDirectory(p)) {
        registerTree(p);
        files.addAll(configFilesUnder(p));
      } else if (ConfigFiles.isConfigFile(p)) {
        files.add(p);
      }
      // A deleted directory: everything we had under it.
      filesUnderKnown(p, false, files);
    }
    if (!files.isEmpty()) {
      reload(files, false);
    }
  }

  private void filesUnderKnown(Path dir, boolean directChildrenOnly, Set<Path> out) {
    for (String f : fileSet.files()) {
      Path known = root.resolve(f);
      if (directChildrenOnly ? dir.equals(known.getParent()) : known.startsWith(dir)) {
        out.add(known);
      }
    }
  }

  /** Re-reads {@code files} (absent ones are removed) and applies the merged result. */
  private void reload(Set<Path> files, boolean initial) {
    List<String> reported = new ArrayList<>();
    for (Path file : new TreeSet<>(files)) {
      String rel = relative(file);
      if (!Files.isRegularFile(file)) {
        if (fileSet.files().contains(rel)) {
          fileSet.remove(rel);
          log.info("event=config_file_removed file={}", rel);
        }
        continue;
      }
      ParsedFile parsed = read(file, rel);
      fileSet.update(parsed);
      reported.addAll(parsed.diagnostics());
      if (!initial) {
        log.info(
            "event=config_file_read file={} objects={} problems={}",
            rel,
            parsed.objects().size(),
            parsed.diagnostics().size());
      }
    }
    FileSet.Merged merged = fileSet.merge();
    for (String c : merged.conflicts()) {
      if (!conflicts.contains(c)) {
        reported.add(c);
      }
    }
    conflicts = merged.conflicts();
    List<String> all = new ArrayList<>(fileSet.diagnostics());
    all.addAll(conflicts);
    diagnostics = List.copyOf(all);
    reported.forEach(d -> log.warn("event=config_problem problem={}", quoted(d)));
    store.apply(sourceName, merged.objects());
  }

  private ParsedFile read(Path file, String rel) {
    try {
      return ParsedFile.parse(rel, Files.readString(file));
    } catch (CharacterCodingException e) {
      return ParsedFile.unreadable(rel, "is not valid UTF-8");
    } catch (NoSuchFileException e) {
      // Deleted between listing and reading; the delete event follows and removes it.
      return ParsedFile.unreadable(rel, "disappeared while being read");
    } catch (IOException e) {
      return ParsedFile.unreadable(rel, "cannot be read: " + e.getMessage());
    }
  }

  private String relative(Path file) {
    return root.relativize(file).toString().replace(file.getFileSystem().getSeparator(), "/");
  }

  private void registerTree(Path dir) throws IOException {
    Files.walkFileTree(
        dir,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs)
              throws IOException {
            if (!d.equals(root) && ConfigFiles.hidden(d)) {
              return FileVisitResult.SKIP_SUBTREE;
            }
            if (!watchedDirs.containsValue(d)) {
              watchedDirs.put(d.register(watcher, ENTRY_CREATE, ENTRY_MODIFY, ENTRY_DELETE), d);
            }
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFileFailed(Path f, IOException e) {
            // A directory removed while walking: its delete event handles it.
            return FileVisitResult.CONTINUE;
          }
        });
  }

  private Set<Path> configFilesUnder(Path dir) {
    return new HashSet<>(ConfigFiles.under(dir, root));
  }

  /** A log value in double quotes, with inner quotes and backslashes escaped. */
  private static String quoted(String value) {
    return '"' + value.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
  }
}
