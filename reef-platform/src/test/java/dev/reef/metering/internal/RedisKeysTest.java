package dev.reef.metering.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reef.common.TenantId;
import java.time.YearMonth;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class RedisKeysTest {

  private final TenantId tenant = new TenantId(UUID.fromString("00000000-0000-0000-0000-00000000000a"));
  private final RedisKeys keys = new RedisKeys("reef:");

  @Test
  void everyKey_carriesTheTenantAsAClusterHashTag() {
    String base = "reef:{00000000-0000-0000-0000-00000000000a}:";
    assertThat(keys.base(tenant)).isEqualTo(base);
    assertThat(keys.reservationKeys(tenant)).isEqualTo(List.of(base + "leases", base + "holds", base + "finished"));
    assertThat(keys.month(tenant, YearMonth.of(2026, 11))).isEqualTo(base + "month:2026-11");
    assertThat(RedisKeys.baseOfHolds(base + "holds")).isEqualTo(base);
  }

  @Test
  void allHolds_matchesEveryTenantsHolds_withThePrefixTakenLiterally() {
    assertThat(keys.allHolds()).isEqualTo("reef:{*}:holds");
    assertThat(new RedisKeys("a*b?[c]:").allHolds()).isEqualTo("a\\*b\\?\\[c\\]:{*}:holds");
  }

  @Test
  void reply_readsStatusTextAndNumbers() {
    RedisUsageMeter.Reply reply = new RedisUsageMeter.Reply(List.of("ok", "2026-11", "1700000000000", 42L));
    assertThat(reply.status()).isEqualTo("ok");
    assertThat(reply.text(1)).isEqualTo("2026-11");
    assertThat(reply.number(2)).isEqualTo(1_700_000_000_000L);
    assertThat(reply.number(3)).isEqualTo(42);
    assertThat(new RedisUsageMeter.Reply(1L).status()).isEqualTo("1");
    assertThat(new RedisUsageMeter.Reply(7L).number()).isEqualTo(7);
    assertThat(new RedisUsageMeter.Reply(List.of(7L)).number()).isEqualTo(7);
    assertThat(reply.lastNumber()).isEqualTo(42);
  }
}
