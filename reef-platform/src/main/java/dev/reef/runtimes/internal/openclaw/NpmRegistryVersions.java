package dev.reef.runtimes.internal.openclaw;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The OpenClaw versions the npm registry offers, newest first ({@code npm view openclaw versions --json}), kept for
 * ten minutes: the operator's runtime page asks often, and the registry answers in seconds. Empty (and said once in
 * the log) when npm is missing or the registry cannot be reached: installing a version by its number still works.
 */
final class NpmRegistryVersions implements Supplier<List<String>> {

  private static final Logger log = LoggerFactory.getLogger(NpmRegistryVersions.class);
  private static final Duration KEEP = Duration.ofMinutes(10);
  private static final Duration TIMEOUT = Duration.ofSeconds(20);
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final Path npm;
  private final OpenClawInstaller installer;
  private final Path workDir;
  private final Clock clock;
  private List<String> versions = List.of();
  private Instant fetchedAt;

  NpmRegistryVersions(Path npm, OpenClawInstaller installer, Path workDir, Clock clock) {
    this.npm = npm;
    this.installer = installer;
    this.workDir = workDir;
    this.clock = clock;
  }

  @Override
  public synchronized List<String> get() {
    Instant now = clock.instant();
    if (fetchedAt != null && now.isBefore(fetchedAt.plus(KEEP))) {
      return versions;
    }
    fetchedAt = now;
    if (npm == null) {
      return versions = List.of();
    }
    try {
      java.nio.file.Files.createDirectories(workDir);
      List<String> output = java.util.Collections.synchronizedList(new ArrayList<>()); // every line: hundreds
      OpenClawInstaller.Result result = OpenClawInstaller.run(List.of(npm.toString(), "view", "openclaw", "versions",
          "--json"), workDir, installer.environment(null), output::add, TIMEOUT);
      if (result.exitCode() != 0) {
        log.warn("Could not list OpenClaw versions on the npm registry: {}", result.reason());
        return versions = List.of();
      }
      // stderr is merged in: npm's own notices are not part of the JSON
      JsonNode array = JSON.readTree(String.join("\n", output.stream().filter(l -> !l.startsWith("npm ")).toList()));
      List<String> found = new ArrayList<>();
      array.forEach(v -> found.add(v.asString()));
      return versions = List.copyOf(found.reversed());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return versions;
    } catch (Exception e) {
      log.warn("Could not list OpenClaw versions on the npm registry: {}", e.toString());
      return versions = List.of();
    }
  }
}
