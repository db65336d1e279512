package dev.reef.access.internal;

import dev.reef.common.UserId;
import dev.reef.platform.Jdbc;
import java.time.Instant;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.annotation.Transactional;

/** Users are platform-wide rows (not tenant-owned): what a user may see is decided by memberships. */
@Repository
@Transactional
class UserRepository {

  private final JdbcClient jdbc;

  UserRepository(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  void markMustChangePassword(UserId id) {
    jdbc.sql("update users set must_change_password = true where id = :id").param("id", id.value()).update();
  }

  boolean mustChangePassword(UserId id) {
    return jdbc.sql("select must_change_password from users where id = :id").param("id", id.value())
        .query(Boolean.class).optional().orElse(false);
  }

  record UserRow(UserId id, String email, String passwordHash, boolean operator, Instant createdAt) {}

  Optional<UserRow> findByEmail(String email) {
    return jdbc.sql("select * from users where email = :email")
        .param("email", email.toLowerCase())
        .query((rs, n) -> map(rs)).optional();
  }

  Optional<UserRow> findById(UserId id) {
    return jdbc.sql("select * from users where id = :id").param("id", id.value())
        .query((rs, n) -> map(rs)).optional();
  }

  void insert(UserId id, String email, String passwordHash, boolean operator, Instant now) {
    jdbc.sql("""
        insert into users (id, email, password_hash, operator, created_at)
        values (:id, :email, :hash, :operator, :now)""")
        .param("id", id.value()).param("email", email.toLowerCase()).param("hash", passwordHash)
        .param("operator", operator).param("now", Jdbc.timestamp(now))
        .update();
  }

  /** The password chosen by its owner: nothing asks them to change it any more. */
  void updatePassword(UserId id, String passwordHash) {
    jdbc.sql("update users set password_hash = :hash, must_change_password = false where id = :id")
        .param("hash", passwordHash).param("id", id.value()).update();
  }

  void updateEmail(UserId id, String email) {
    jdbc.sql("update users set email = :email where id = :id").param("email", email).param("id", id.value())
        .update();
  }

  long countOperators() {
    return jdbc.sql("select count(*) from users where operator = true").query(Long.class).single();
  }

  private static UserRow map(java.sql.ResultSet rs) throws java.sql.SQLException {
    return new UserRow(new UserId(Jdbc.uuid(rs, "id")), rs.getString("email"), rs.getString("password_hash"),
        rs.getBoolean("operator"), Jdbc.instant(rs, "created_at"));
  }
}
