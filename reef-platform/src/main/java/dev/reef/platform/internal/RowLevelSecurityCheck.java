package dev.reef.platform.internal;

import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * PostgreSQL skips row-level security for superusers and BYPASSRLS roles. Reef still filters every query by tenant,
 * but the second wall would be silently gone, so say so loudly at start-up.
 */
@Component
final class RowLevelSecurityCheck {

  private static final Logger log = LoggerFactory.getLogger(RowLevelSecurityCheck.class);
  private final DataSource dataSource;

  RowLevelSecurityCheck(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  @EventListener(ApplicationReadyEvent.class)
  void warnIfBypassed() {
    JdbcTemplate jdbc = new JdbcTemplate(dataSource);
    String product = jdbc.execute((java.sql.Connection c) -> c.getMetaData().getDatabaseProductName());
    if (product == null || !product.toLowerCase().contains("postgres")) {
      return;
    }
    Boolean bypass = jdbc.queryForObject(
        "select rolsuper or rolbypassrls from pg_roles where rolname = current_user", Boolean.class);
    if (Boolean.TRUE.equals(bypass)) {
      log.warn("Reef is connected to PostgreSQL as a superuser or BYPASSRLS role, so row-level security does not "
          + "apply. Connect as an ordinary role that owns the database (see README, 'PostgreSQL').");
    }
  }
}
