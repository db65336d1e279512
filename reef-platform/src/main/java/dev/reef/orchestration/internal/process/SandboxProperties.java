package dev.reef.orchestration.internal.process;

import java.nio.file.Path;
import java.util.Locale;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * How the process driver confines agents ({@code REEF_SANDBOX_*}).
 *
 * @param mode {@code bubblewrap} (the default: every agent in namespaces of its own, as a uid of its tenant's) or
 *     {@code none} (agents run as plain processes of Reef's user: development only)
 * @param uidBase the first Unix uid (and gid) given to a tenant's agents; tenants get {@code uidBase},
 *     {@code uidBase + 1}, ... in the order they first deploy
 * @param uidCount how many uids Reef may hand out from {@code uidBase}
 * @param runDir where the Unix sockets between Reef and its agents live: a short path, because a socket's path may
 *     not exceed 107 bytes; empty: {@code /run/reef} as root, else {@code $XDG_RUNTIME_DIR/reef} or
 *     {@code /tmp/reef-<uid>}
 * @param bwrap the bubblewrap program to use; empty: {@code bwrap} from the system's directories
 */
@ConfigurationProperties("reef.sandbox")
record SandboxProperties(String mode, Long uidBase, Long uidCount, String runDir, String bwrap) {

  static final String BUBBLEWRAP = "bubblewrap";
  static final String NONE = "none";
  /** Far above the uids distributions give people (1000-60000) and the first subordinate ranges (100000+). */
  static final long DEFAULT_UID_BASE = 1_000_000;
  static final long DEFAULT_UID_COUNT = 1_000_000;
  /** The kernel's largest uid is 2^32 - 2; (uid_t) -1 means "no change" to setresuid. */
  static final long MAX_UID = 4_294_967_294L;

  SandboxProperties {
    mode = mode == null || mode.isBlank() ? BUBBLEWRAP : mode.trim().toLowerCase(Locale.ROOT);
    if (!mode.equals(BUBBLEWRAP) && !mode.equals(NONE)) {
      throw new IllegalArgumentException("REEF_SANDBOX must be 'bubblewrap' (the default) or 'none', not '" + mode
          + "'");
    }
    uidBase = uidBase == null ? DEFAULT_UID_BASE : uidBase;
    uidCount = uidCount == null ? DEFAULT_UID_COUNT : uidCount;
    if (uidBase < 1000 || uidCount < 1 || uidBase + uidCount - 1 > MAX_UID) {
      throw new IllegalArgumentException("REEF_SANDBOX_UID_BASE=" + uidBase + " and REEF_SANDBOX_UID_COUNT="
          + uidCount + " must give uids between 1000 and " + MAX_UID + " (system accounts live below 1000)");
    }
    runDir = runDir == null ? "" : runDir.trim();
    bwrap = bwrap == null ? "" : bwrap.trim();
  }


  boolean enabled() {
    return mode.equals(BUBBLEWRAP);
  }

  /** The base directory for sockets, before the per-data-directory part is added. */
  Path runBase(boolean root) {
    if (!runDir.isEmpty()) {
      return Path.of(runDir).toAbsolutePath().normalize();
    }
    if (root) {
      return Path.of("/run/reef");
    }
    String xdg = System.getenv("XDG_RUNTIME_DIR");
    if (xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute()) {
      return Path.of(xdg, "reef");
    }
    return Path.of("/tmp", "reef-" + new com.sun.security.auth.module.UnixSystem().getUid());
  }
}
