package dev.reef.metering.internal;

import dev.reef.common.TenantId;
import dev.reef.metering.Estimate;
import dev.reef.metering.MeterUnavailableException;
import dev.reef.metering.Reservation;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The usage meter's settings ({@code REEF_METER*}, mapped in application.yml).
 *
 * @param type {@code in-process} or {@code redis}; blank picks {@code redis} when {@code REEF_REDIS_URL} is set, else
 *     {@code in-process} (see {@link MeterType#resolve})
 * @param failMode what to do when the meter's store cannot be reached: refuse ({@code closed}, the default) or admit
 *     unmetered and reconcile later ({@code open})
 * @param lease with Redis, how long the calls of a replica that died keep their holds: each replica renews its own
 *     reservations every fifth of it (one process has no such lease: its reservations die with it)
 */
@ConfigurationProperties("reef.meter")
record MeterProperties(String type, FailMode failMode, Duration lease) {

  MeterProperties {
    failMode = failMode == null ? FailMode.CLOSED : failMode;
    lease = lease == null || lease.isZero() || lease.isNegative() ? Duration.ofSeconds(15) : lease;
  }

  enum FailMode {
    CLOSED,
    OPEN;

    /**
     * What a meter does when its store (Redis, or the ledger it seeds from) cannot be reached: fail closed by
     * refusing the call, or fail open by admitting it unmetered; its usage is still recorded in the ledger.
     */
    Reservation whenUnavailable(TenantId tenantId, Estimate estimate, Instant now, RuntimeException cause) {
      if (this == CLOSED) {
        throw new MeterUnavailableException("Usage cannot be verified right now (the meter's store is unreachable); "
            + "the call is refused because REEF_METER_FAIL_MODE=closed.", cause);
      }
      return new Reservation(UUID.randomUUID().toString(), tenantId, MeterWindows.month(now),
          MeterWindows.minute(now), estimate, false);
    }
  }
}
