package dev.reef.gateway.internal.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reef.common.TenantId;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

class FairGateTest {

  private final TenantId a = TenantId.random();
  private final TenantId b = TenantId.random();

  @Test
  void acquire_belowCapacity_passesStraightThrough() throws Exception {
    FairGate gate = new FairGate(2);
    FairGate.Slot one = gate.acquire(a, Duration.ofMillis(10));
    FairGate.Slot two = gate.acquire(b, Duration.ofMillis(10));
    assertThat(gate.inUse()).isEqualTo(2);
    one.close();
    one.close(); // idempotent
    two.close();
    assertThat(gate.inUse()).isZero();
  }

  @Test
  void acquire_full_timesOutAndLeavesNoTrace() throws Exception {
    FairGate gate = new FairGate(1);
    FairGate.Slot held = gate.acquire(a, Duration.ofMillis(10));
    assertThatThrownBy(() -> gate.acquire(b, Duration.ofMillis(50))).isInstanceOf(TimeoutException.class);
    assertThat(gate.queued()).isZero();
    held.close();
    assertThat(gate.inUse()).isZero();
  }

  /** A floods with 20 queued requests; B's one request is served right after the next of A's, not after all 20. */
  @Test
  void release_servesTenantsInTurn_soAFlooderCannotStarveOthers() throws Exception {
    FairGate gate = new FairGate(1);
    FairGate.Slot first = gate.acquire(a, Duration.ofSeconds(1));
    List<String> order = new CopyOnWriteArrayList<>();
    CountDownLatch done = new CountDownLatch(21);
    for (int i = 0; i < 20; i++) {
      Thread.ofVirtual().start(() -> take(gate, a, "a", order, done));
    }
    await(() -> gate.queued() == 20);
    Thread.ofVirtual().start(() -> take(gate, b, "b", order, done));
    await(() -> gate.queued() == 21);
    first.close();
    assertThat(done.await(5, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    assertThat(order.indexOf("b")).as("b's position in " + order).isLessThanOrEqualTo(1);
    assertThat(gate.inUse()).isZero();
  }

  private static void take(FairGate gate, TenantId tenant, String name, List<String> order, CountDownLatch done) {
    try (FairGate.Slot slot = gate.acquire(tenant, Duration.ofSeconds(5))) {
      order.add(name);
    } catch (Exception e) {
      order.add("failed:" + e);
    } finally {
      done.countDown();
    }
  }

  private static void await(java.util.function.BooleanSupplier condition) throws InterruptedException {
    for (int i = 0; i < 500 && !condition.getAsBoolean(); i++) {
      Thread.sleep(5);
    }
    assertThat(condition.getAsBoolean()).isTrue();
  }
}
