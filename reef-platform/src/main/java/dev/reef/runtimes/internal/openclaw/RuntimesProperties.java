package dev.reef.runtimes.internal.openclaw;

import java.nio.file.Path;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Where runtimes are installed and which versions new agents get ({@code REEF_RUNTIME_CACHE},
 * {@code REEF_OPENCLAW_VERSION}).
 *
 * @param cache the shared install cache: one directory per runtime and version, written by Reef and only read by
 *     agents; a leading {@code ~} is the home directory of the user Reef runs as
 * @param openclaw the OpenClaw runtime's settings
 */
@ConfigurationProperties("reef.runtimes")
record RuntimesProperties(Path cache, OpenClaw openclaw) {

  static final String DEFAULT_CACHE = "~/.cache/reef/runtimes";

  RuntimesProperties {
    cache = expandHome(cache == null ? Path.of(DEFAULT_CACHE) : cache);
    openclaw = openclaw == null ? new OpenClaw(null) : openclaw;
  }

  /**
   * @param version the pinned OpenClaw version new agents get: an exact npm version, never a range or a tag, so
   *     every agent of a Reef release runs the same code
   */
  record OpenClaw(String version) {

    static final String DEFAULT_VERSION = "2026.9.6";

    OpenClaw {
      version = version == null || version.isBlank() ? DEFAULT_VERSION : version.strip();
    }
  }

  // Spring binds "~/x" to a relative path named "~": expand it as a shell would.
  private static Path expandHome(Path path) {
    if (path.getNameCount() == 0 || !path.getName(0).toString().equals("~")) {
      return path;
    }
    Path home = Path.of(System.getProperty("user.home"));
    return path.getNameCount() == 1 ? home : home.resolve(path.subpath(1, path.getNameCount()));
  }
}
