package dev.reef.orchestration.internal.process;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/** Small facts about Unix sockets and the user Reef runs as. */
final class UnixSockets {

  /** The longest path a Unix socket may have (sun_path is 108 bytes with its terminating NUL). */
  static final int MAX_PATH = 107;

  private UnixSockets() {}

  /** Whether something accepts connections on the socket at {@code path} right now. */
  static boolean listening(Path path) {
    if (!Files.exists(path)) {
      return false;
    }
    try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      return channel.connect(UnixDomainSocketAddress.of(path));
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  /** Checks that a socket can live at {@code path}. */
  static Path checkLength(Path path) {
    if (path.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8).length > MAX_PATH) {
      throw new IllegalStateException("The Unix socket path " + path + " is longer than " + MAX_PATH
          + " bytes; set REEF_SANDBOX_RUN_DIR to a shorter directory");
    }
    return path;
  }

  /** The uid this process runs as. */
  static long ownUid() {
    return new com.sun.security.auth.module.UnixSystem().getUid();
  }

  /** Gives a file or directory (never a link's target) to {@code uid}, group included. */
  static void chown(Path path, long uid) throws IOException {
    Files.setAttribute(path, "unix:uid", (int) uid, LinkOption.NOFOLLOW_LINKS);
    Files.setAttribute(path, "unix:gid", (int) uid, LinkOption.NOFOLLOW_LINKS);
  }
}
