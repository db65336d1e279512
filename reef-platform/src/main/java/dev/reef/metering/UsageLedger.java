package dev.reef.metering;

/**
 * The durable record of every LLM request. {@link #record} returns only once the record would survive a
 * {@code kill -9} of Reef (see docs/metering.md for the mechanism); it reaches the database shortly after.
 */
public interface UsageLedger {

  void record(UsageRecord record);
}
