package dev.reef.testing;

import org.junit.jupiter.api.Assumptions;

/**
 * What to do when a test needs a real service that is not there: on a developer's machine, skip with a message
 * that says what to install; in CI ({@code CI=true}), fail, because a skipped integration test proves nothing.
 */
public final class RequiredService {

  private RequiredService() {}

  public static boolean inCi() {
    return "true".equalsIgnoreCase(System.getenv("CI"));
  }

  public static void require(String reasonMissing, String howToInstall) {
    if (reasonMissing == null) {
      return;
    }
    String message = reasonMissing + ". " + howToInstall;
    if (inCi()) {
      throw new IllegalStateException("CI=true, so this test must run, but: " + message);
    }
    Assumptions.abort("Skipped: " + message);
  }

  /** OpenClaw agents need npm (Reef fetches Node 24 and OpenClaw with it): skipped, or failed in CI, without it. */
  public static void requireNpm() {
    String missing = null;
    try {
      if (new ProcessBuilder("npm", "--version").start().waitFor() != 0) {
        missing = "npm does not run";
      }
    } catch (Exception e) {
      missing = "npm is not installed";
    }
    require(missing, "Install Node.js and npm (apt-get install nodejs npm) to run OpenClaw agents.");
  }
}
