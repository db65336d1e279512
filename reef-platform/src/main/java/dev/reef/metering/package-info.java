/**
 * Usage metering: the {@link dev.reef.metering.UsageMeter} that reserves before an LLM call, settles to the real
 * usage after and releases on failure, atomically checking every cap; and the durable usage ledger with its
 * rollups and the usage API.
 */
@org.springframework.modulith.ApplicationModule(displayName = "Metering")
package dev.reef.metering;
