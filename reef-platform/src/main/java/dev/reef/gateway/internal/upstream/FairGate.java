package dev.reef.gateway.internal.upstream;

import dev.reef.common.TenantId;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A provider key's capacity (a maximum of concurrent upstream calls), shared fairly between tenants.
 *
 * <p>Design note: while there is free capacity, callers pass straight through. Once it is full, each tenant gets its
 * own FIFO queue and freed slots are handed to tenants in round-robin order, one slot per tenant per turn. A tenant
 * that floods the proxy therefore waits behind its own requests, and another tenant's request is served after at
 * most one of the flooder's - however many the flooder has queued. A slot is handed over directly to the next waiter
 * (never returned to the pool first), so a newcomer cannot jump the queue.
 */
public final class FairGate {

  private final int capacity;
  private final ReentrantLock lock = new ReentrantLock();
  private final Map<TenantId, ArrayDeque<CompletableFuture<Void>>> waiting = new LinkedHashMap<>();
  private int inUse;
  private int queued;

  public FairGate(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be at least 1");
    }
    this.capacity = capacity;
  }

  /** A held slot; release it exactly once (try-with-resources). */
  public interface Slot extends AutoCloseable {
    @Override
    void close();
  }

  /**
   * Waits for a slot.
   *
   * @throws TimeoutException if none came within {@code timeout}
   */
  public Slot acquire(TenantId tenant, Duration timeout) throws TimeoutException, InterruptedException {
    CompletableFuture<Void> ticket;
    lock.lock();
    try {
      if (inUse < capacity && queued == 0) {
        inUse++;
        return releaseOnce();
      }
      ticket = new CompletableFuture<>();
      waiting.computeIfAbsent(tenant, t -> new ArrayDeque<>()).addLast(ticket);
      queued++;
    } finally {
      lock.unlock();
    }
    try {
      ticket.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
      return releaseOnce();
    } catch (TimeoutException | InterruptedException e) {
      if (withdraw(tenant, ticket)) {
        throw e;
      }
      return releaseOnce(); // granted in the meantime: keep it
    } catch (ExecutionException e) {
      throw new IllegalStateException(e);
    }
  }

  /** In use and waiting, for metrics and tests. */
  public int inUse() {
    lock.lock();
    try {
      return inUse;
    } finally {
      lock.unlock();
    }
  }

  public int queued() {
    lock.lock();
    try {
      return queued;
    } finally {
      lock.unlock();
    }
  }

  private boolean withdraw(TenantId tenant, CompletableFuture<Void> ticket) {
    lock.lock();
    try {
      if (ticket.isDone()) {
        return false;
      }
      ArrayDeque<CompletableFuture<Void>> queue = waiting.get(tenant);
      if (queue != null && queue.remove(ticket)) {
        queued--;
        if (queue.isEmpty()) {
          waiting.remove(tenant);
        }
      }
      ticket.cancel(false);
      return true;
    } finally {
      lock.unlock();
    }
  }

  private void release() {
    lock.lock();
    try {
      while (!waiting.isEmpty()) {
        TenantId next = waiting.keySet().iterator().next();
        ArrayDeque<CompletableFuture<Void>> queue = waiting.remove(next);
        CompletableFuture<Void> ticket = queue.pollFirst();
        if (!queue.isEmpty()) {
          waiting.put(next, queue); // back of the rotation
        }
        if (ticket != null) {
          queued--;
          if (ticket.complete(null)) {
            return; // the slot passes straight to this waiter
          }
        }
      }
      inUse--;
    } finally {
      lock.unlock();
    }
  }

  private Slot releaseOnce() {
    return new Slot() {
      private boolean released;

      @Override
      public void close() {
        if (!released) {
          released = true;
          release();
        }
      }
    };
  }
}
