package dev.meshctl.ca.store;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * CA key material as files in one directory (Istio's {@code cacerts} mount layout). Reads only the
 * known file names (and rotated root generations, see {@link RootGenerations}), so a Kubernetes
 * Secret volume's {@code ..data} links are harmless. Writes go to a temporary file that is fsynced
 * and then hard-linked to its final name: the link is atomic and fails if the name exists, so
 * nothing present is ever replaced. Any thread; concurrent creators race safely (one wins, the
 * other gets {@link FileAlreadyExistsException}).
 */
public final class DirectoryCaSource implements CaSource {
  private static final Set<PosixFilePermission> KEY_MODE =
      PosixFilePermissions.fromString("rw-------");
  private static final Set<PosixFilePermission> CERT_MODE =
      PosixFilePermissions.fromString("rw-r--r--");

  private final Path dir;

  public DirectoryCaSource(Path dir) {
    this.dir = dir;
  }

  @Override
  public String location() {
    return dir.toString();
  }

  @Override
  public Map<String, byte[]> read() throws IOException {
    Map<String, byte[]> out = new LinkedHashMap<>();
    if (!Files.isDirectory(dir)) {
      return out;
    }
    for (String name : CaStore.FILE_NAMES) {
      Path p = dir.resolve(name);
      if (Files.exists(p)) {
        out.put(name, Files.readAllBytes(p));
      }
    }
    // Rotated root generations, in name order so reads are deterministic.
    List<Path> generations;
    try (Stream<Path> listing = Files.list(dir)) {
      generations =
          listing
              .filter(p -> RootGenerations.isGenerationFile(p.getFileName().toString()))
              .sorted()
              .toList();
    }
    for (Path p : generations) {
      out.put(p.getFileName().toString(), Files.readAllBytes(p));
    }
    return out;
  }

  @Override
  public void createAll(LinkedHashMap<String, byte[]> entries) throws IOException {
    Files.createDirectories(dir);
    for (String name : entries.keySet()) {
      if (Files.exists(dir.resolve(name))) {
        throw new FileAlreadyExistsException(dir.resolve(name).toString());
      }
    }
    for (Map.Entry<String, byte[]> e : entries.entrySet()) {
      createOne(e.getKey(), e.getValue());
    }
    fsync(dir);
  }

  private void createOne(String name, byte[] content) throws IOException {
    Path target = dir.resolve(name);
    boolean key = name.endsWith("-key.pem");
    boolean posix = Files.getFileStore(dir).supportsFileAttributeView("posix");
    // The mode is set at creation, so a key is never readable by others, not even briefly.
    FileAttribute<?>[] attrs =
        posix
            ? new FileAttribute<?>[] {
              PosixFilePermissions.asFileAttribute(key ? KEY_MODE : CERT_MODE)
            }
            : new FileAttribute<?>[0];
    Path tmp = Files.createTempFile(dir, "." + name + ".", ".tmp", attrs);
    try {
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
        ch.write(java.nio.ByteBuffer.wrap(content));
        ch.force(true);
      }
      if (posix) {
        // createTempFile's mode is filtered by the umask; make the intended mode exact.
        Files.setPosixFilePermissions(tmp, key ? KEY_MODE : CERT_MODE);
      }
      Files.createLink(target, tmp);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  private static void fsync(Path directory) {
    try (FileChannel ch = FileChannel.open(directory, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException e) {
      // Some file systems cannot open directories; the files themselves are already synced.
    }
  }
}
