package dev.reef.platform;

import dev.reef.common.ProblemException;
import dev.reef.common.ProblemType;
import java.sql.SQLTransientConnectionException;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.transaction.CannotCreateTransactionException;

/**
 * Recognises "the database cannot be reached" among the exceptions a data access may throw, so that whoever meets
 * one answers 503 {@code database-unavailable} at once instead of a 500: the connection pool gives up after
 * {@code REEF_DATABASE_CONNECTION_TIMEOUT_MS} (1 s), not the 30 s a client would otherwise hang.
 */
public final class DatabaseOutage {

  /** How long clients are told to wait before trying again. */
  public static final int RETRY_AFTER_SECONDS = 5;

  private DatabaseOutage() {}

  /** Whether {@code failure}, or anything that caused it, says the database could not be reached. */
  public static boolean causedBy(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof ProblemException p && p.type() == ProblemType.DATABASE_UNAVAILABLE) {
        return true;
      }
      if (t instanceof DataAccessResourceFailureException || t instanceof CannotCreateTransactionException
          || t instanceof SQLTransientConnectionException) {
        return true;
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return false;
  }

  /** The problem a client gets. */
  public static ProblemException problem() {
    return new ProblemException(ProblemType.DATABASE_UNAVAILABLE, "Reef's database cannot be reached right now; "
        + "try again in a few seconds.").with("retryAfterSeconds", RETRY_AFTER_SECONDS);
  }
}
