package dev.reef.metering.internal;

import dev.reef.metering.UsageRecord;
import java.util.List;

/**
 * Where the journal flusher moves usage records. A journal segment is deleted only after {@link #makeDurable} has
 * returned for its rows: until then the segment is the only copy that survives a {@code kill -9}.
 */
interface LedgerDatabase {

  /** Inserts a batch; a record whose request id is already stored is skipped, so a replay never counts twice. */
  void insert(List<UsageRecord> batch);

  /** Returns once every row inserted so far survives the death of this process. */
  void makeDurable();
}
