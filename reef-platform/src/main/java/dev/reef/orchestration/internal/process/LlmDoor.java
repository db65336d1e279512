package dev.reef.orchestration.internal.process;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.UUID;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How sandboxed agents reach Reef's LLM proxy: this Reef process's Tomcat listens on a Unix socket in a directory
 * every sandbox sees read-only ({@link Bubblewrap#LLM_DOOR}), and each agent's {@code llm.sock} is a link to the
 * socket of the Reef process that looks after it.
 *
 * <p>Why a link per agent, not one shared socket: an agent outlives the Reef process that started it. When that
 * process restarts, or dies and another replica takes the agent over, the next one points the agent's link at its
 * own socket; the bridge inside the sandbox opens the link afresh for every connection, so the agent's next call
 * goes to a live Reef. A link that points at a live socket is left alone, so two Reef processes never fight over
 * an agent.
 */
final class LlmDoor {

  private static final Logger log = LoggerFactory.getLogger(LlmDoor.class);

  private final Path directory;
  private final Path socket;

  /** A door in {@code directory}, for this process: a socket name of its own. */
  LlmDoor(Path directory) {
    this(directory, UUID.randomUUID().toString().substring(0, 13) + ".sock");
  }

  /** A door to the socket {@code name} in {@code directory}, which another process serves (a benchmark's). */
  LlmDoor(Path directory, String name) {
    this.directory = directory;
    this.socket = UnixSockets.checkLength(directory.resolve(name));
  }

  /** Where this process's Tomcat listens. */
  Path socket() {
    return socket;
  }

  Path directory() {
    return directory;
  }

  /** Makes the directory (readable by every sandbox) and clears sockets left by Reef processes that are gone. */
  void prepare() throws IOException {
    Files.createDirectories(directory);
    Files.setPosixFilePermissions(directory, PosixFilePermissions.fromString("rwxr-xr-x"));
    try (Stream<Path> entries = Files.list(directory)) {
      for (Path old : entries.toList()) {
        if (old.getFileName().toString().endsWith(".sock") && !UnixSockets.listening(old)) {
          Files.deleteIfExists(old);
        }
      }
    }
  }

  /**
   * Points {@code agentDoors/llm.sock} at this process's socket, unless it already points at one that answers.
   * The link is replaced atomically, so the agent never sees it missing.
   */
  void claim(Path agentDoors) throws IOException {
    Path link = agentDoors.resolve(Bubblewrap.LLM_SOCKET);
    Path target = Path.of(Bubblewrap.LLM_DOOR, socket.getFileName().toString());
    if (Files.isSymbolicLink(link)) {
      Path current = Files.readSymbolicLink(link);
      if (current.equals(target)) {
        return;
      }
      if (current.getFileName() != null
          && UnixSockets.listening(directory.resolve(current.getFileName().toString()))) {
        return; // another live Reef process looks after this agent
      }
    }
    Path aside = agentDoors.resolve("." + Bubblewrap.LLM_SOCKET + "." + UUID.randomUUID() + ".tmp");
    Files.createSymbolicLink(aside, target);
    Files.move(aside, link, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    log.debug("LLM door of {} now leads to {}", agentDoors, socket);
  }
}
