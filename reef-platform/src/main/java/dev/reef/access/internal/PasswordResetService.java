package dev.reef.access.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.reef.access.AccessEvents;
import dev.reef.access.PasswordResets;
import dev.reef.common.Actor;
import dev.reef.common.DataScope;
import dev.reef.common.NotFoundException;
import dev.reef.common.ProblemException;
import dev.reef.common.ProblemType;
import dev.reef.platform.Jdbc;
import dev.reef.platform.ReefProperties;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Password reset by email. The link is {@code REEF_PUBLIC_URL/reset-password?token=…}, never built from the request
 * (an attacker's Host header would send the victim's token to the attacker); the token is random, kept only as a
 * hash, valid for 30 minutes and once. Requests are limited per address asked for (3 an hour) and per client (10 an
 * hour), and answered the same whether the address has an account or not.
 */
@Service
final class PasswordResetService implements PasswordResets {

  static final Duration VALID_FOR = Duration.ofMinutes(30);
  private static final int PER_EMAIL_PER_HOUR = 3;
  private static final int PER_CLIENT_PER_HOUR = 10;
  private static final Logger log = LoggerFactory.getLogger(PasswordResetService.class);

  private final JdbcClient jdbc;
  private final UserRepository users;
  private final UserAccountService accounts;
  private final PasswordEncoder passwords;
  private final ReefProperties reef;
  private final Mailer mailer;
  private final TransactionTemplate tx;
  private final ApplicationEventPublisher events;
  private final Clock clock;
  private final Cache<String, AtomicInteger> asked = Caffeine.newBuilder().expireAfterWrite(Duration.ofHours(1))
      .maximumSize(100_000).build();

  PasswordResetService(JdbcClient jdbc, UserRepository users, UserAccountService accounts, PasswordEncoder passwords,
      ReefProperties reef, Mailer mailer, TransactionTemplate tx, ApplicationEventPublisher events,
      Clock clock) {
    this.jdbc = jdbc;
    this.users = users;
    this.accounts = accounts;
    this.passwords = passwords;
    this.reef = reef;
    this.mailer = mailer;
    this.tx = tx;
    this.events = events;
    this.clock = clock;
  }

  @Override
  public boolean available() {
    return mailer.available() && reef.publicUrl() != null && !reef.publicUrl().isBlank();
  }

  @Override
  public void request(String email, String sourceAddress) {
    if (!available()) {
      throw new ProblemException(ProblemType.UNAVAILABLE, "Password reset by email is not set up on this Reef "
          + "(REEF_SMTP_HOST and REEF_PUBLIC_URL); ask your operator to reset your password.");
    }
    String address = EmailAddresses.canonical(email == null ? "" : email);
    if (count("email:" + address) > PER_EMAIL_PER_HOUR || count("client:" + sourceAddress) > PER_CLIENT_PER_HOUR) {
      throw new ProblemException(ProblemType.TOO_MANY_REQUESTS, "Too many reset requests; try again in an hour.")
          .with("retryAfterSeconds", 3600);
    }
    Optional<UserRepository.UserRow> user = DataScope.callAsPlatform(() -> users.findByEmail(address));
    if (user.isEmpty()) {
      log.info("Password reset asked for an address without an account (from {})", sourceAddress);
      return; // the same answer: nobody learns whether the address has an account
    }
    String token = SecretTokens.generate("reef_reset_");
    Instant now = clock.instant();
    DataScope.callAsPlatform(() -> tx.execute(s -> jdbc.sql("""
        insert into password_resets (id, user_id, token_hash, expires_at, created_at)
        values (:id, :user, :hash, :expires, :now)""")
        .param("id", UUID.randomUUID()).param("user", user.get().id().value())
        .param("hash", SecretTokens.sha256(token)).param("expires", Jdbc.timestamp(now.plus(VALID_FOR)))
        .param("now", Jdbc.timestamp(now)).update()));
    try {
      mailer.send(user.get().email(), "Reset your Reef password", "Someone (you, we hope) asked to reset the "
          + "password of your Reef account " + user.get().email() + ".\n\nChoose a new password here, within "
          + VALID_FOR.toMinutes() + " minutes:\n\n" + reef.publicUrl().replaceAll("/+$", "")
          + "/reset-password?token=" + token
          + "\n\nThe link works once. If it was not you, ignore this message: your password stays as it is.\n");
    } catch (RuntimeException e) {
      throw new ProblemException(ProblemType.UNAVAILABLE, "The email could not be sent right now; try again in a "
          + "few minutes.");
    }
  }

  @Override
  public boolean usable(String token) {
    return token != null && find(token).isPresent();
  }

  @Override
  public void reset(String token, String newPassword, String sourceAddress) {
    if (token == null) {
      throw new NotFoundException("password reset link", "");
    }
    DataScope.callAsPlatform(() -> tx.execute(s -> {
      Reset reset = find(token).orElseThrow(() -> new ProblemException(ProblemType.NOT_FOUND,
          "This reset link is unknown, used or expired; ask for a new one."));
      UserRepository.UserRow user = users.findById(reset.userId()).orElseThrow(() ->
          new NotFoundException("user", ""));
      PasswordPolicy.check(user.email(), newPassword);
      // used up first: a second click, or a race with it, finds nothing
      if (jdbc.sql("update password_resets set used_at = :now where id = :id and used_at is null")
          .param("now", Jdbc.timestamp(clock.instant())).param("id", reset.id()).update() != 1) {
        throw new ProblemException(ProblemType.NOT_FOUND, "This reset link was used already; ask for a new one.");
      }
      users.updatePassword(user.id(), passwords.encode(newPassword));
      Actor actor = new Actor("user", user.id().toString(), user.email(), sourceAddress);
      accounts.signOutElsewhere(user.id(), null, actor);
      events.publishEvent(new AccessEvents.AccountChanged(actor, "password_reset"));
      return null;
    }));
  }

  private record Reset(UUID id, dev.reef.common.UserId userId) {}

  private Optional<Reset> find(String token) {
    return DataScope.callAsPlatform(() -> jdbc.sql("""
        select id, user_id from password_resets
        where token_hash = :hash and used_at is null and expires_at > :now""")
        .param("hash", SecretTokens.sha256(token)).param("now", Jdbc.timestamp(clock.instant()))
        .query((rs, n) -> new Reset(Jdbc.uuid(rs, "id"), new dev.reef.common.UserId(Jdbc.uuid(rs, "user_id"))))
        .optional());
  }

  private int count(String key) {
    return asked.get(key, k -> new AtomicInteger()).incrementAndGet();
  }
}
