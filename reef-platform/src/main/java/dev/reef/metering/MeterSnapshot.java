package dev.reef.metering;

import java.time.YearMonth;

/**
 * A tenant's counters right now, for the dashboard and tests.
 *
 * @param spentMicros settled spend this month that counts against the budget
 * @param reservedMicros spend held by in-flight reservations
 * @param tokens settled tokens this month; {@code reservedTokens} held by in-flight reservations
 * @param inFlight reservations not yet settled or released (and not expired)
 * @param requestsThisMinute and {@code tokensThisMinute}: the current rate window
 */
public record MeterSnapshot(
    YearMonth month,
    long spentMicros,
    long reservedMicros,
    long tokens,
    long reservedTokens,
    long inFlight,
    long requestsThisMinute,
    long tokensThisMinute) {}
