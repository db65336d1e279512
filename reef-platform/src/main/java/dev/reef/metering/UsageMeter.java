package dev.reef.metering;

import dev.reef.common.TenantId;

/**
 * Per-tenant caps, checked and updated atomically in one store so that what one replica admits every replica sees.
 * Implementations: {@code in-process} (embedded default) and {@code redis} ({@code REEF_REDIS_URL}); both pass
 * {@code UsageMeterContract}.
 *
 * <p>Protocol: {@link #reserve} before forwarding (checks budget, monthly tokens, requests and tokens per minute and
 * concurrency together, and holds the estimate); then exactly one of {@link #settle} (replace the estimate with the
 * real usage) or {@link #release} (the call failed before producing a token). Settle and release are idempotent.
 * A reservation lives as long as the process holding it: the shared meter renews its replica's reservations, and
 * those of a replica that died are released within seconds.
 */
public interface UsageMeter {

  /**
   * @throws LimitExceededException when a cap would be exceeded
   * @throws MeterUnavailableException when the store is unreachable and the meter fails closed
   */
  Reservation reserve(TenantId tenantId, MeterLimits limits, Estimate estimate);

  void settle(Reservation reservation, Usage actual);

  void release(Reservation reservation);

  MeterSnapshot snapshot(TenantId tenantId);
}
