package dev.reef.orchestration.internal.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reef.common.TenantId;
import dev.reef.testing.ReefIT;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Sandbox uids as the database records them (on H2, and on PostgreSQL with row-level security in force): one per
 * tenant, the same at every ask, never two tenants', never a uid the machine gives to an account.
 */
@Tag("database-matrix")
class SandboxUidsIT extends ReefIT {

  @Autowired
  JdbcClient jdbc;

  @Autowired
  TransactionTemplate tx;

  @TempDir
  Path etc;

  /** A range of its own for each test, far from Reef's default, so runs never meet. */
  private long base() {
    return 2_000_000_000L + (System.nanoTime() % 1_000_000) * 100;
  }

  @Test
  void uidOf_isStablePerTenant_andDistinctAcrossTenants_evenWhenAskedAtOnce() throws Exception {
    SandboxUids uids = new SandboxUids.Recorded(jdbc, tx, base(), 100, etc.resolve("passwd"), Clock.systemUTC());
    List<TenantId> tenants = List.of(TenantId.random(), TenantId.random(), TenantId.random(), TenantId.random());
    Set<Long> seen = new HashSet<>();
    try (ExecutorService pool = Executors.newFixedThreadPool(8)) {
      List<Future<Long>> asked = new java.util.ArrayList<>();
      for (int round = 0; round < 3; round++) {
        for (TenantId t : tenants) {
          asked.add(pool.submit(() -> uids.uidOf(t)));
        }
      }
      for (Future<Long> f : asked) {
        seen.add(f.get());
      }
    }
    assertThat(seen).hasSize(4);
    for (TenantId t : tenants) {
      assertThat(uids.uidOf(t)).isIn(seen);
    }
  }

  @Test
  void uidOf_skipsUidsOfTheMachinesAccounts() throws Exception {
    long base = base();
    Files.writeString(etc.resolve("passwd"), "someone:x:" + base + ":" + base + "::/home/someone:/bin/sh\n");
    SandboxUids uids = new SandboxUids.Recorded(jdbc, tx, base, 100, etc.resolve("passwd"), Clock.systemUTC());

    assertThat(uids.uidOf(TenantId.random())).isEqualTo(base + 1);
  }

  @Test
  void uidOf_saysSoWhenTheRangeIsUsedUp() {
    long base = base();
    SandboxUids uids = new SandboxUids.Recorded(jdbc, tx, base, 1, etc.resolve("passwd"), Clock.systemUTC());
    uids.uidOf(TenantId.random());

    assertThatThrownBy(() -> uids.uidOf(TenantId.random())).hasMessageContaining("REEF_SANDBOX_UID_COUNT");
  }
}
