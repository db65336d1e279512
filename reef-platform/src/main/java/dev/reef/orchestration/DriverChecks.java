package dev.reef.orchestration;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** What every {@link ComputeDriver} checks and waits for the same way, written once. */
public final class DriverChecks {

  private DriverChecks() {}

  /** A port an agent may listen on: 0 (the driver chooses) or a TCP port. */
  public static void requirePort(AgentSpec spec) {
    if (spec.port() < 0 || spec.port() > 65535) {
      throw new IllegalArgumentException("agent port " + spec.port() + " is not a TCP port");
    }
  }

  /**
   * A stored placement is not trusted to say where an agent is: it must at least be {@code driver}'s (each driver
   * then derives names and paths from its tenant and agent ids, never from the placement's own fields).
   */
  public static void requireOwn(Placement placement, String driver) {
    if (!driver.equals(placement.driver())) {
      throw new IllegalArgumentException("placement of driver '" + placement.driver() + "', not '" + driver + "'");
    }
  }

  /**
   * Polls every {@code poll} until {@code condition} holds or {@code timeout} passes; returns whether it holds. When
   * interrupted it looks once more and returns, with the thread's interrupt flag set again.
   */
  public static boolean awaitUntil(BooleanSupplier condition, Duration timeout, Duration poll) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - deadline >= 0) {
        return false;
      }
      try {
        Thread.sleep(poll);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return condition.getAsBoolean();
      }
    }
    return true;
  }
}
