package dev.reef.platform.internal;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** A second Reef on a data dir: the reason and what to do, without a stack trace. */
public final class DataDirInUseFailureAnalyzer extends AbstractFailureAnalyzer<DataDirLock.InUseException> {

  @Override
  protected FailureAnalysis analyze(Throwable rootFailure, DataDirLock.InUseException cause) {
    return new FailureAnalysis(cause.getMessage(), "Stop the other Reef (" + cause.holder + "), or start this one "
        + "with another data dir: ./reef up --data-dir DIR, or REEF_DATA_DIR=DIR.", cause);
  }
}
