package dev.reef.metering;

import dev.reef.common.TenantId;
import java.time.Instant;
import java.time.YearMonth;

/**
 * An admitted request's hold on its tenant's caps, until it is settled or released. It holds one concurrency slot,
 * counts one request in its minute, and holds its estimate against the month's budget and tokens. A reservation
 * whose holder dies expires after the meter's lease time (and is then released).
 *
 * @param minute the start of the rate window the request was counted in
 * @param metered false when the meter was unreachable and the request was admitted fail-open: its usage is
 *     reconciled into the counters later
 */
public record Reservation(
    String id,
    TenantId tenantId,
    YearMonth month,
    Instant minute,
    Estimate estimate,
    boolean metered) {}
