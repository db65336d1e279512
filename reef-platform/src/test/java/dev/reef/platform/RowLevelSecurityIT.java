package dev.reef.platform;

import static org.assertj.core.api.Assertions.assertThat;

import dev.reef.common.DataScope;
import dev.reef.common.TenantId;
import dev.reef.testing.Api;
import dev.reef.testing.PostgresReefIT;
import dev.reef.testing.PostgresTestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * PostgreSQL's row-level security is the second wall: a query that forgets its tenant filter still sees one
 * tenant's rows. Always runs against PostgreSQL (it is the feature under test), as an ordinary role.
 */
class RowLevelSecurityIT extends PostgresReefIT {

  @Autowired
  JdbcClient jdbc;

  @Autowired
  TransactionTemplate tx;

  @Test
  void unfilteredQuery_inTenantScope_seesOnlyThatTenantsRows() {
    SignedUp a = signUp("Rls A");
    SignedUp b = signUp("Rls B");
    api.post("/api/v1/tenants/" + b.tenantId() + "/api-keys", b.apiKey(), Api.body("name", "b-second"));

    // The bug this guards against: a query with no "where tenant_id = ?" at all.
    List<String> seenByA = DataScope.callAs(TenantId.parse(a.tenantId()), () -> tx.execute(s ->
        jdbc.sql("select tenant_id from tenant_api_keys").query(String.class).list()));
    assertThat(seenByA).isNotEmpty().containsOnly(a.tenantId());

    List<String> tenantsSeenByB = DataScope.callAs(TenantId.parse(b.tenantId()), () -> tx.execute(s ->
        jdbc.sql("select cast(id as varchar) from tenants").query(String.class).list()));
    assertThat(tenantsSeenByB).containsExactly(b.tenantId());

    List<String> membersSeenByB = DataScope.callAs(TenantId.parse(b.tenantId()), () -> tx.execute(s ->
        jdbc.sql("select cast(tenant_id as varchar) from memberships").query(String.class).list()));
    assertThat(membersSeenByB).containsOnly(b.tenantId());
  }

  @Test
  void unfilteredQuery_withNoScope_seesNothing_platformScopeSeesAll() {
    SignedUp a = signUp("Rls None");
    Long unscoped = tx.execute(s -> jdbc.sql("select count(*) from tenant_api_keys").query(Long.class).single());
    assertThat(unscoped).isZero();
    Long platform = DataScope.callAsPlatform(() -> tx.execute(s ->
        jdbc.sql("select count(*) from tenant_api_keys").query(Long.class).single()));
    assertThat(platform).isPositive();
    assertThat(a.tenantId()).isNotNull();
  }

  @Test
  void writes_intoAnotherTenant_areRejectedByThePolicy() {
    SignedUp a = signUp("Rls Writer");
    SignedUp b = signUp("Rls Target");
    Integer updated = DataScope.callAs(TenantId.parse(a.tenantId()), () -> tx.execute(s ->
        jdbc.sql("update tenants set display_name = 'owned' where id = :b").param("b", UUID.fromString(b.tenantId()))
            .update()));
    assertThat(updated).isZero();
    assertThat(api.get("/api/v1/tenants/" + b.tenantId(), b.apiKey()).at("/displayName")).isEqualTo("Rls Target");
  }

  @Test
  void scopeSwitchedInsideATransaction_appliesToTheRestOfIt() {
    SignedUp a = signUp("Rls Switch");
    List<Long> counts = DataScope.callAs(TenantId.parse(a.tenantId()), () -> tx.execute(s -> {
      long inTenant = jdbc.sql("select count(*) from tenants").query(Long.class).single();
      long inPlatform = DataScope.callAsPlatform(() -> jdbc.sql("select count(*) from tenants").query(Long.class)
          .single());
      long backInTenant = jdbc.sql("select count(*) from tenants").query(Long.class).single();
      return List.of(inTenant, inPlatform, backInTenant);
    }));
    assertThat(counts.get(0)).isEqualTo(1);
    assertThat(counts.get(1)).isGreaterThan(1);
    assertThat(counts.get(2)).isEqualTo(1);
  }

  /** Any table with a tenant_id column (and the tenants table itself) must have forced RLS and a policy. */
  @Test
  void everyTenantOwnedTable_hasForcedRowLevelSecurity() throws Exception {
    List<String> missing = new ArrayList<>();
    try (Connection c = PostgresTestDatabase.shared().adminConnection(); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("""
            select c.relname, c.relrowsecurity, c.relforcerowsecurity,
                   exists (select 1 from pg_policy p where p.polrelid = c.oid) as has_policy
            from pg_class c join pg_namespace n on n.oid = c.relnamespace
            where n.nspname = 'public' and c.relkind = 'r'
              and (c.relname = 'tenants' or exists (
                select 1 from information_schema.columns col
                where col.table_schema = 'public' and col.table_name = c.relname and col.column_name = 'tenant_id'))
            """)) {
      int tables = 0;
      while (rs.next()) {
        tables++;
        if (!rs.getBoolean(2) || !rs.getBoolean(3) || !rs.getBoolean(4)) {
          missing.add(rs.getString(1));
        }
      }
      assertThat(tables).isGreaterThanOrEqualTo(5);
    }
    assertThat(missing).as("tenant-owned tables without forced row-level security").isEmpty();
  }

  @Test
  void applicationRole_isNotASuperuser() {
    Boolean bypasses = tx.execute(s -> jdbc.sql(
        "select rolsuper or rolbypassrls from pg_roles where rolname = current_user").query(Boolean.class).single());
    assertThat(bypasses).isFalse();
  }
}
