package dev.reef.platform.internal;

import dev.reef.common.DataScope;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.jdbc.datasource.ConnectionHolder;
import org.springframework.jdbc.support.JdbcTransactionManager;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.transaction.TransactionDefinition;

/**
 * A JDBC transaction manager that tells PostgreSQL's row-level security which tenant the transaction works for.
 *
 * <p>At the start of every transaction it sets two transaction-local settings from the thread's {@link DataScope}:
 * {@code reef.tenant_id} (the tenant) and {@code reef.scope} ({@code tenant}, {@code platform}, or empty). The
 * policies in the PostgreSQL migrations admit a row only if its {@code tenant_id} matches, or the scope is
 * {@code platform}. Because the settings are local, they vanish at commit and never leak to the next user of a
 * pooled connection. H2 has no row-level security; there the application's own filters are the only wall.
 */
final class ScopedTransactionManager extends JdbcTransactionManager implements DisposableBean {

  private final DataScope.ChangeListener listener = this::followScopeChange;
  private volatile Boolean postgres;

  ScopedTransactionManager(DataSource dataSource) {
    super(dataSource);
    DataScope.addChangeListener(listener);
  }

  @Override
  public void destroy() {
    DataScope.removeChangeListener(listener);
  }

  /** A scope switched while a transaction is open applies to the rest of that transaction. */
  private void followScopeChange(DataScope scope) {
    if (!TransactionSynchronizationManager.isActualTransactionActive()
        || !(TransactionSynchronizationManager.getResource(obtainDataSource()) instanceof ConnectionHolder holder)
        || holder.getConnectionHandle() == null) {
      return;
    }
    try {
      Connection con = holder.getConnection();
      if (isPostgres(con)) {
        apply(con, scope);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("Could not apply the data scope to the open transaction", e);
    }
  }

  @Override
  protected void prepareTransactionalConnection(Connection con, TransactionDefinition definition)
      throws SQLException {
    super.prepareTransactionalConnection(con, definition);
    if (!isPostgres(con)) {
      return;
    }
    apply(con, DataScope.current().orElse(null));
  }

  private static void apply(Connection con, DataScope scope) throws SQLException {
    String tenant = scope instanceof DataScope.Tenant t ? t.tenantId().toString() : "";
    String kind = switch (scope) {
      case DataScope.Tenant t -> "tenant";
      case DataScope.Platform p -> "platform";
      case null -> "";
    };
    try (PreparedStatement st = con.prepareStatement(
        "select set_config('reef.tenant_id', ?, true), set_config('reef.scope', ?, true)")) {
      st.setString(1, tenant);
      st.setString(2, kind);
      st.execute();
    }
  }

  private boolean isPostgres(Connection con) throws SQLException {
    Boolean known = postgres;
    if (known == null) {
      known = con.getMetaData().getDatabaseProductName().toLowerCase().contains("postgres");
      postgres = known;
    }
    return known;
  }
}
