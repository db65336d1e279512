package dev.reef.orchestration.internal.process;

import dev.reef.common.DataScope;
import dev.reef.common.TenantId;
import dev.reef.platform.Jdbc;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The Unix uid of each tenant's sandboxed agents: allocated at the tenant's first deploy, recorded in the database
 * (so every replica and every restart agrees), never reused. Skips uids the machine's {@code /etc/passwd} already
 * gives to someone.
 */
interface SandboxUids {

  long uidOf(TenantId tenantId);

  /** The database's allocation ({@code sandbox_uids}). */
  final class Recorded implements SandboxUids {

    private static final int ATTEMPTS = 20;

    private final JdbcClient jdbc;
    private final TransactionTemplate tx;
    private final long base;
    private final long count;
    private final Path passwd;
    private final Clock clock;

    Recorded(JdbcClient jdbc, TransactionTemplate tx, long base, long count, Path passwd, Clock clock) {
      this.jdbc = jdbc;
      this.tx = tx;
      this.base = base;
      this.count = count;
      this.passwd = passwd;
      this.clock = clock;
    }

    @Override
    public long uidOf(TenantId tenantId) {
      // in a transaction throughout: that is where the platform scope reaches PostgreSQL's row-level security
      return DataScope.callAsPlatform(() -> {
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
          try {
            return tx.execute(status -> find(tenantId).orElseGet(() -> allocate(tenantId)));
          } catch (DuplicateKeyException raced) {
            // another replica took this uid (or allocated this tenant) at the same moment: look again
          }
        }
        throw new IllegalStateException("Could not allocate a sandbox uid for tenant " + tenantId + " after "
            + ATTEMPTS + " attempts");
      });
    }

    private Optional<Long> find(TenantId tenantId) {
      return jdbc.sql("select uid from sandbox_uids where tenant_id = :t").param("t", tenantId.value())
          .query(Long.class).optional();
    }

    private long allocate(TenantId tenantId) {
      long last = base + count - 1;
      long uid = jdbc.sql("select coalesce(max(uid) + 1, :base) from sandbox_uids where uid between :base and :last")
          .param("base", base).param("last", last).query(Long.class).single();
      Set<Long> taken = systemUids();
      while (taken.contains(uid)) {
        uid++;
      }
      if (uid > last) {
        throw new IllegalStateException("All " + count + " sandbox uids from " + base + " are taken; raise "
            + "REEF_SANDBOX_UID_COUNT (or move REEF_SANDBOX_UID_BASE to a free range)");
      }
      jdbc.sql("insert into sandbox_uids (tenant_id, uid, allocated_at) values (:t, :uid, :now)")
          .param("t", tenantId.value()).param("uid", uid).param("now", Jdbc.timestamp(clock.instant())).update();
      return uid;
    }

    /** Uids and gids the machine's account files give out; a sandbox uid must be nobody's. */
    private Set<Long> systemUids() {
      Set<Long> uids = new HashSet<>();
      for (Path file : Set.of(passwd, passwd.resolveSibling("group"))) {
        try {
          for (String line : Files.readAllLines(file)) {
            String[] fields = line.split(":");
            if (fields.length > 2 && fields[2].matches("\\d{1,10}")) {
              uids.add(Long.parseLong(fields[2]));
            }
          }
        } catch (IOException e) {
          // no such file: nothing to avoid
        }
      }
      return uids;
    }
  }
}
