package dev.reef.metering.internal;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The usage ledger's journal ({@code REEF_LEDGER_*}).
 *
 * @param fsync {@code never} (default): a record is durable once it is in the operating system's page cache, which
 *     survives the death of Reef but not of the machine; {@code always}: each record is forced to disk before
 *     {@code record} returns, which survives a power cut but costs a disk flush (milliseconds on most disks) per call
 * @param flushInterval how often journal records are moved into the database
 * @param segmentBytes a journal segment is closed (and becomes flushable) at this size even between flushes
 */
@ConfigurationProperties("reef.ledger")
record LedgerProperties(Fsync fsync, Duration flushInterval, long segmentBytes) {

  LedgerProperties {
    fsync = fsync == null ? Fsync.NEVER : fsync;
    flushInterval = flushInterval == null || flushInterval.isZero() || flushInterval.isNegative()
        ? Duration.ofSeconds(1) : flushInterval;
    segmentBytes = segmentBytes <= 0 ? 16 * 1024 * 1024 : segmentBytes;
  }

  enum Fsync { NEVER, ALWAYS }
}
