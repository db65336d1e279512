package dev.reef.common;

import java.util.Optional;
import java.util.function.Supplier;

/**
 * Which rows the current thread may see. On PostgreSQL every transaction hands this to row-level security, so a
 * query that forgot its {@code tenant_id} filter still sees only one tenant's rows; with no scope bound it sees none.
 *
 * <p>Design note: the scope is bound by the access guard once it has checked the caller (for the rest of the
 * request), or explicitly by background work with {@link #callAs} / {@link #callAsPlatform}. It is a plain
 * thread-local because every request and job runs on its own (virtual) thread; nested calls restore the outer scope.
 */
public sealed interface DataScope {

  /** Rows of one tenant only. */
  record Tenant(TenantId tenantId) implements DataScope {}

  /** Rows of every tenant: only for the operator and for platform work (sign-up, credential lookup, reconciling). */
  record Platform() implements DataScope {}

  Platform PLATFORM = new Platform();

  static Optional<DataScope> current() {
    return Optional.ofNullable(Holder.CURRENT.get());
  }

  static <T> T callAs(TenantId tenantId, Supplier<T> work) {
    return callIn(new Tenant(tenantId), work);
  }

  static void runAs(TenantId tenantId, Runnable work) {
    callIn(new Tenant(tenantId), () -> {
      work.run();
      return null;
    });
  }

  static <T> T callAsPlatform(Supplier<T> work) {
    return callIn(PLATFORM, work);
  }

  static void runAsPlatform(Runnable work) {
    callIn(PLATFORM, () -> {
      work.run();
      return null;
    });
  }

  static <T> T callIn(DataScope scope, Supplier<T> work) {
    DataScope outer = Holder.CURRENT.get();
    Holder.set(scope);
    try {
      return work.get();
    } finally {
      Holder.set(outer);
    }
  }

  /** Binds a scope until {@link #clear()}; used by the per-request guard, which the request filter clears. */
  static void bind(DataScope scope) {
    Holder.set(scope);
  }

  static void clear() {
    Holder.set(null);
  }

  /**
   * Told whenever the thread's scope changes, so a transaction that is already open can follow it (the platform's
   * transaction manager re-applies the database settings). Without this, a scope switched inside a transaction
   * would silently keep the outer scope's visibility.
   */
  interface ChangeListener {
    void scopeChanged(DataScope scope);
  }

  static void addChangeListener(ChangeListener listener) {
    Holder.LISTENERS.add(listener);
  }

  static void removeChangeListener(ChangeListener listener) {
    Holder.LISTENERS.remove(listener);
  }

  final class Holder {
    private static final ThreadLocal<DataScope> CURRENT = new ThreadLocal<>();
    private static final java.util.List<ChangeListener> LISTENERS =
        new java.util.concurrent.CopyOnWriteArrayList<>();

    private Holder() {}

    private static void set(DataScope scope) {
      DataScope before = CURRENT.get();
      if (scope == null) {
        CURRENT.remove();
      } else {
        CURRENT.set(scope);
      }
      if (!java.util.Objects.equals(before, scope)) {
        LISTENERS.forEach(l -> l.scopeChanged(scope));
      }
    }
  }
}
