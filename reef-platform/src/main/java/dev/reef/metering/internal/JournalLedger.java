package dev.reef.metering.internal;

import dev.reef.common.DataScope;
import dev.reef.metering.UsageLedger;
import dev.reef.metering.UsageRecord;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataIntegrityViolationException;

/**
 * The usage ledger: {@link #record} appends to this instance's {@link Journal} (microseconds, durable against the
 * death of the process), and a background flusher moves closed journal segments into {@code usage_records} about
 * every second, then deletes them.
 *
 * <p>Design note: the database is written in batches, off the request path, and idempotently (the request id is the
 * key), so a segment replayed after a crash between insert and delete adds nothing twice. A segment is deleted only
 * once the database holds its rows durably ({@link LedgerDatabase#makeDurable}): H2 writes a commit to its file up to
 * a second later, and deleting before that lost the last second's records on {@code kill -9}. Each replica has its own
 * journal, so no replica coordinates with another. On start-up, journals left by instances that are gone are
 * replayed before Reef serves. A record the database refuses as invalid (it never should) is set aside in
 * {@code rejected.jsonl} rather than blocking every record behind it; when the database is down, nothing is
 * deleted and the flush is retried.
 */
final class JournalLedger implements UsageLedger, AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(JournalLedger.class);
  private static final int BATCH = 500;
  /** About 100 MB at most: when the database is down for long, later segments are read back from disk. */
  private static final int MAX_HELD = 200_000;

  private final Journal journal;
  private final LedgerDatabase database;
  private final Path rejected;
  private final ReentrantLock flushing = new ReentrantLock();
  private final ScheduledExecutorService flusher;
  private volatile boolean databaseDown;
  private final int maxHeld;
  private final Map<Path, List<UsageRecord>> held = new ConcurrentHashMap<>();
  private final Set<Path> fromFileOnly = ConcurrentHashMap.newKeySet();
  private final AtomicInteger heldCount = new AtomicInteger();
  /** When records last reached the database ({@link System#nanoTime}: an age, not a date). */
  private volatile long lastFlushNanos = System.nanoTime();

  /**
   * @param database where records go, in platform scope
   * @param flushEvery null for no background flusher (tests call {@link #flush()})
   */
  JournalLedger(Journal journal, LedgerDatabase database, Path rejected, Duration flushEvery) {
    this(journal, database, rejected, flushEvery, MAX_HELD);
  }

  /** @param maxHeld how many records to keep in memory for the flusher at most (0: read every segment back) */
  JournalLedger(Journal journal, LedgerDatabase database, Path rejected, Duration flushEvery, int maxHeld) {
    this.maxHeld = maxHeld;
    this.journal = journal;
    this.database = database;
    this.rejected = rejected;
    replayOrphans();
    if (flushEvery == null) {
      flusher = null;
    } else {
      flusher = Executors.newSingleThreadScheduledExecutor(
          Thread.ofPlatform().daemon().name("reef-ledger-flusher").factory());
      long millis = flushEvery.toMillis();
      flusher.scheduleWithFixedDelay(this::flushQuietly, millis, millis, TimeUnit.MILLISECONDS);
    }
  }

  /**
   * The repository as the flusher's sink: batches of every tenant's rows, so in platform scope.
   *
   * @param toDisk make rows durable against a crash of the machine too, not only of the process
   */
  static LedgerDatabase into(UsageRecordRepository repository, boolean toDisk) {
    return new LedgerDatabase() {
      @Override
      public void insert(List<UsageRecord> batch) {
        DataScope.runAsPlatform(() -> repository.insertAll(batch));
      }

      @Override
      public void makeDurable() {
        repository.makeDurable(toDisk);
      }
    };
  }

  @Override
  public void record(UsageRecord record) {
    Objects.requireNonNull(record, "record");
    Objects.requireNonNull(record.requestId(), "requestId");
    Objects.requireNonNull(record.tenantId(), "tenantId");
    Objects.requireNonNull(record.startedAt(), "startedAt");
    journal.append(JournalEntry.of(record).toLine(), segment -> hold(segment, record));
  }

  /**
   * Keeps the record in memory with its segment, so the flusher need not read and parse back what this process
   * wrote (measured: a third of the ledger's CPU under load). All or none of a segment's records are held: a
   * segment first written while {@code maxHeld} records are held is read back from its file, like an orphan's.
   * Runs under the journal's write lock, so a segment's list is complete once the segment is closed.
   */
  private void hold(Path segment, UsageRecord record) {
    if (fromFileOnly.contains(segment)) {
      return;
    }
    List<UsageRecord> records = held.get(segment);
    if (records == null) {
      if (heldCount.get() >= maxHeld) {
        fromFileOnly.add(segment);
        return;
      }
      records = new ArrayList<>();
      held.put(segment, records);
    }
    records.add(record);
    heldCount.incrementAndGet();
  }

  /** Moves every closed segment (after closing the one being written) into the database; returns records moved. */
  int flush() {
    flushing.lock();
    try {
      journal.roll();
      int moved = 0;
      for (Path segment : journal.closedSegments()) {
        moved += flushSegment(segment);
      }
      return moved;
    } finally {
      flushing.unlock();
    }
  }

  /**
   * How far the database is behind this replica's journal, for the operator: what waits, and since when it last
   * caught up.
   *
   * @param waitingRecords records written to the journal and not yet in the database (those held in memory; a
   *     segment read back from disk counts once it is read)
   * @param waitingSegments journal files not yet moved into the database
   */
  record Lag(long waitingRecords, int waitingSegments, Duration sinceLastFlush, boolean databaseDown) {}

  Lag lag() {
    return new Lag(heldCount.get(), journal.closedSegments().size(),
        Duration.ofNanos(System.nanoTime() - lastFlushNanos), databaseDown);
  }

  private void flushQuietly() {
    try {
      flush();
      lastFlushNanos = System.nanoTime();
      if (databaseDown) {
        databaseDown = false;
        log.info("The usage ledger reaches the database again");
      }
    } catch (RuntimeException e) {
      if (!databaseDown) {
        databaseDown = true;
        log.warn("The usage ledger cannot write to the database; records stay in the journal {} until it can",
            journal.directory(), e);
      }
    }
  }

  private void replayOrphans() {
    for (Journal.Orphan orphan : journal.adoptOrphans()) {
      try (orphan) {
        int replayed = 0;
        for (Path segment : orphan.segments()) {
          replayed += flushSegment(segment);
        }
        log.info("Replayed {} usage record(s) from the journal {} left by an earlier run", replayed, orphan.dir());
      }
    }
  }

  private int flushSegment(Path segment) {
    List<UsageRecord> records = held.get(segment);
    if (records == null) {
      records = new ArrayList<>();
      for (String line : Journal.lines(segment)) {
        try {
          records.add(JournalEntry.parse(line).toRecord());
        } catch (RuntimeException unreadable) {
          setAside(line, unreadable);
        }
      }
    }
    for (int from = 0; from < records.size(); from += BATCH) {
      insert(records.subList(from, Math.min(records.size(), from + BATCH)));
    }
    database.makeDurable();
    Journal.delete(segment);
    // Only now: if the database was down, the next flush finds the records still held.
    if (held.remove(segment) != null) {
      heldCount.addAndGet(-records.size());
    }
    fromFileOnly.remove(segment);
    return records.size();
  }

  /** Inserts a batch; if the database rejects it as invalid, inserts one by one and sets aside the bad ones. */
  private void insert(List<UsageRecord> batch) {
    try {
      database.insert(batch);
    } catch (DataIntegrityViolationException invalid) {
      for (UsageRecord record : batch) {
        try {
          database.insert(List.of(record));
        } catch (DataIntegrityViolationException e) {
          setAside(new String(JournalEntry.of(record).toLine(), StandardCharsets.UTF_8), e);
        }
      }
    }
  }

  private void setAside(String line, RuntimeException why) {
    log.error("A usage record could not be stored and was set aside in {}: {}", rejected, why.getMessage());
    try {
      Files.writeString(rejected, line + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("Cannot set aside a usage record in " + rejected, e);
    }
  }

  /** Stops the flusher and makes a last flush; what cannot be flushed stays for the next start to replay. */
  @Override
  public void close() {
    if (flusher != null) {
      flusher.shutdown();
      try {
        flusher.awaitTermination(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    try {
      flush();
    } catch (RuntimeException e) {
      log.warn("Last flush of the usage journal failed; it will be replayed at the next start", e);
    }
    journal.close();
  }
}
