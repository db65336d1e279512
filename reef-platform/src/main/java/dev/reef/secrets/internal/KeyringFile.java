package dev.reef.secrets.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The keyring Reef keeps for itself in embedded mode when no {@code REEF_MASTER_KEY} is set:
 * {@code <data dir>/secrets/master.keys}, one base64 key a line, the current key first.
 *
 * <p>The file is only ever written whole: to a new file in the same directory, created with mode 0600 (so no other
 * user can read it, not even for an instant), then renamed over the old one, so a crash leaves the old keyring or
 * the new one, never half of either. The directory is created with mode 0700.
 */
final class KeyringFile {

  static final String DIRECTORY = "secrets";
  static final String NAME = "master.keys";
  private static final Logger log = LoggerFactory.getLogger(KeyringFile.class);
  private static final Set<PosixFilePermission> OWNER_ONLY_FILE = PosixFilePermissions.fromString("rw-------");
  private static final Set<PosixFilePermission> OWNER_ONLY_DIRECTORY = PosixFilePermissions.fromString("rwx------");

  private final Path file;

  KeyringFile(Path dataDir) {
    this.file = dataDir.resolve(DIRECTORY).resolve(NAME).toAbsolutePath().normalize();
  }

  Path path() {
    return file;
  }

  /** The keys in the file; a new file with one generated key when there is none yet. */
  List<MasterKey> readOrCreate(SecureRandom random) {
    if (Files.exists(file)) {
      return read();
    }
    MasterKey generated = MasterKey.generate(random);
    write(List.of(generated));
    log.info("Generated master key {} into {}. Back this file up with the data dir: without it, stored secrets "
        + "cannot be decrypted. For production set REEF_MASTER_KEY instead (docs/secrets.md).", generated.version(),
        file);
    return List.of(generated);
  }

  List<MasterKey> read() {
    warnIfReadableByOthers();
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new UncheckedIOException("Could not read the master keyring " + file, e);
    }
    List<MasterKey> keys = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      if (!lines.get(i).isBlank()) {
        keys.add(MasterKey.parse(lines.get(i), "Line " + (i + 1) + " of the master keyring " + file));
      }
    }
    if (keys.isEmpty()) {
      throw new IllegalStateException("The master keyring " + file + " holds no key. Restore it from a backup; if "
          + "no secret was ever stored, delete it and Reef generates a new one.");
    }
    return keys;
  }

  void write(List<MasterKey> keys) {
    StringBuilder text = new StringBuilder();
    keys.forEach(k -> text.append(k.toBase64()).append('\n'));
    try {
      Path directory = file.getParent();
      if (!Files.isDirectory(directory)) {
        Files.createDirectories(directory, posix(OWNER_ONLY_DIRECTORY));
      }
      Path next = Files.createTempFile(directory, NAME, ".new", posix(OWNER_ONLY_FILE));
      try {
        try (FileChannel channel = FileChannel.open(next, StandardOpenOption.WRITE)) {
          channel.write(StandardCharsets.US_ASCII.encode(text.toString()));
          channel.force(true);
        }
        Files.move(next, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } finally {
        Files.deleteIfExists(next);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Could not write the master keyring " + file, e);
    } finally {
      text.setLength(0);
    }
  }

  private void warnIfReadableByOthers() {
    if (!posix()) {
      return;
    }
    try {
      Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file);
      if (!OWNER_ONLY_FILE.containsAll(permissions)) {
        log.warn("The master keyring {} is accessible to other users ({}); restrict it with: chmod 600 {}", file,
            PosixFilePermissions.toString(permissions), file);
      }
    } catch (IOException e) {
      log.warn("Could not check the permissions of the master keyring {}: {}", file, e.getMessage());
    }
  }

  private static FileAttribute<?>[] posix(Set<PosixFilePermission> permissions) {
    return posix() ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(permissions)}
        : new FileAttribute<?>[0];
  }

  private static boolean posix() {
    return FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
  }
}
