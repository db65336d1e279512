package dev.reef.access.internal;

import com.eatthepath.otp.TimeBasedOneTimePasswordGenerator;
import dev.reef.access.AccessEvents;
import dev.reef.access.SealedSecrets;
import dev.reef.access.TwoFactor;
import dev.reef.common.Actor;
import dev.reef.common.DataScope;
import dev.reef.common.InvalidRequestException;
import dev.reef.common.NotFoundException;
import dev.reef.common.UserId;
import dev.reef.platform.Jdbc;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.util.encoders.Base32;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * TOTP codes are computed by java-otp (RFC 6238, HMAC-SHA1, 6 digits, 30 s: what every authenticator app does);
 * this class keeps the secret sealed, accepts the current step and one on either side (clocks drift), and never
 * the same step twice (a code seen over a shoulder is spent). Recovery codes are 10 random base32 characters each
 * (50 bits), kept as SHA-256, each good once.
 */
@Service
class TwoFactorService implements TwoFactor {

  private static final String ISSUER = "Reef";
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final String RECOVERY_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789"; // no l, o, 0, 1

  private final TimeBasedOneTimePasswordGenerator totp = new TimeBasedOneTimePasswordGenerator();
  private final JdbcClient jdbc;
  private final UserRepository users;
  private final SealedSecrets secrets;
  private final PasswordEncoder passwords;
  private final ApplicationEventPublisher events;
  private final TransactionTemplate tx;
  private final Clock clock;

  TwoFactorService(JdbcClient jdbc, UserRepository users, SealedSecrets secrets, PasswordEncoder passwords,
      ApplicationEventPublisher events, TransactionTemplate tx, Clock clock) {
    this.jdbc = jdbc;
    this.users = users;
    this.secrets = secrets;
    this.passwords = passwords;
    this.events = events;
    this.tx = tx;
    this.clock = clock;
  }

  @Override
  public boolean enabled(UserId userId) {
    return platform(() -> secretOf(userId).isPresent());
  }

  @Override
  public Enrollment begin(UserId userId) {
    UserRepository.UserRow user = platform(() -> users.findById(userId))
        .orElseThrow(() -> new NotFoundException("user", userId.toString()));
    byte[] key = new byte[20];
    RANDOM.nextBytes(key);
    String secret = Base32.toBase32String(key).replace("=", "");
    String label = URLEncoder.encode(ISSUER + ":" + user.email(), StandardCharsets.UTF_8).replace("+", "%20");
    return new Enrollment(secret, "otpauth://totp/" + label + "?secret=" + secret + "&issuer=" + ISSUER
        + "&algorithm=SHA1&digits=6&period=30");
  }

  @Override
  public List<String> enable(UserId userId, String secret, String code, Actor actor) {
    if (secret == null || secret.isBlank()) {
      throw new InvalidRequestException("code", "start the set-up again: it expired");
    }
    long step = matchingStep(secret, code, Long.MIN_VALUE)
        .orElseThrow(() -> new InvalidRequestException("code", "is not the code your app shows now; check the "
            + "app has the new entry and your device's clock is right"));
    List<String> codes = platform(() -> {
      secretOf(userId).ifPresent(secrets::destroy);
      UUID ref = secrets.seal("totp:" + userId.value(), secret);
      jdbc.sql("update users set totp_secret = :ref, totp_last_step = :step where id = :id")
          .param("ref", ref).param("step", step).param("id", userId.value()).update();
      return replaceRecoveryCodes(userId);
    });
    events.publishEvent(new AccessEvents.AccountChanged(actor, "two_factor_enabled"));
    return codes;
  }

  @Override
  public void disable(UserId userId, String password, String code, Actor actor) {
    UserRepository.UserRow user = platform(() -> users.findById(userId))
        .orElseThrow(() -> new NotFoundException("user", userId.toString()));
    if (password == null || !passwords.matches(password, user.passwordHash())) {
      throw new InvalidRequestException("password", "is not your password");
    }
    if (!accept(userId, code)) {
      throw new InvalidRequestException("code", "is neither your app's current code nor an unused recovery code");
    }
    platform(() -> {
      secretOf(userId).ifPresent(secrets::destroy);
      jdbc.sql("update users set totp_secret = null, totp_last_step = null where id = :id")
          .param("id", userId.value()).update();
      jdbc.sql("delete from recovery_codes where user_id = :id").param("id", userId.value()).update();
      return null;
    });
    events.publishEvent(new AccessEvents.AccountChanged(actor, "two_factor_disabled"));
  }

  @Override
  public List<String> newRecoveryCodes(UserId userId, String code, Actor actor) {
    if (!accept(userId, code)) {
      throw new InvalidRequestException("code", "is neither your app's current code nor an unused recovery code");
    }
    List<String> codes = platform(() -> replaceRecoveryCodes(userId));
    events.publishEvent(new AccessEvents.AccountChanged(actor, "recovery_codes_replaced"));
    return codes;
  }

  @Override
  public int recoveryCodesLeft(UserId userId) {
    return platform(() -> jdbc.sql("select count(*) from recovery_codes where user_id = :id and used_at is null")
        .param("id", userId.value()).query(Integer.class).single());
  }

  /**
   * Whether {@code code} is the person's current app code (not used before) or one of their unused recovery codes;
   * either is spent by being accepted.
   */
  boolean accept(UserId userId, String code) {
    if (code == null || code.isBlank()) {
      return false;
    }
    return platform(() -> {
      Optional<UUID> ref = secretOf(userId);
      if (ref.isEmpty()) {
        return false;
      }
      String digits = code.replaceAll("\\s", "");
      if (digits.matches("\\d{6}")) {
        Long last = jdbc.sql("select totp_last_step from users where id = :id").param("id", userId.value())
            .query(Long.class).optional().orElse(null);
        Optional<Long> step = matchingStep(secrets.open(ref.get()), digits,
            last == null ? Long.MIN_VALUE : last);
        // the update only succeeds for a step after the last one accepted: two requests with one code, one wins
        return step.isPresent() && jdbc.sql("""
            update users set totp_last_step = :step
            where id = :id and (totp_last_step is null or totp_last_step < :step)""")
            .param("step", step.get()).param("id", userId.value()).update() == 1;
      }
      String hash = SecretTokens.sha256(normalizeRecovery(code));
      return jdbc.sql("""
          update recovery_codes set used_at = :now
          where user_id = :id and code_hash = :hash and used_at is null""")
          .param("now", Jdbc.timestamp(clock.instant())).param("id", userId.value()).param("hash", hash)
          .update() == 1;
    });
  }

  /** The time step (of the previous, current or next 30 s) whose code is {@code code}, if after {@code after}. */
  private Optional<Long> matchingStep(String secret, String code, long after) {
    if (code == null || !code.replaceAll("\\s", "").matches("\\d{6}")) {
      return Optional.empty();
    }
    String digits = code.replaceAll("\\s", "");
    SecretKeySpec key;
    try {
      key = new SecretKeySpec(Base32.decode(padded(secret.trim().toUpperCase(Locale.ROOT))), "HmacSHA1");
    } catch (RuntimeException e) {
      return Optional.empty();
    }
    long period = totp.getTimeStep().toSeconds();
    long now = clock.instant().getEpochSecond() / period;
    for (long step = now - 1; step <= now + 1; step++) {
      if (step <= after) {
        continue;
      }
      try {
        String expected = totp.generateOneTimePasswordString(key, Instant.ofEpochSecond(step * period),
            Locale.ROOT);
        if (SecretTokens.constantTimeEquals(expected, digits)) {
          return Optional.of(step);
        }
      } catch (InvalidKeyException e) {
        return Optional.empty();
      }
    }
    return Optional.empty();
  }

  private List<String> replaceRecoveryCodes(UserId userId) {
    jdbc.sql("delete from recovery_codes where user_id = :id").param("id", userId.value()).update();
    List<String> codes = new ArrayList<>();
    for (int i = 0; i < RECOVERY_CODES; i++) {
      StringBuilder code = new StringBuilder();
      for (int c = 0; c < 10; c++) {
        code.append(RECOVERY_ALPHABET.charAt(RANDOM.nextInt(RECOVERY_ALPHABET.length())));
        if (c == 4) {
          code.append('-');
        }
      }
      codes.add(code.toString());
      jdbc.sql("insert into recovery_codes (user_id, code_hash, created_at) values (:id, :hash, :now)")
          .param("id", userId.value()).param("hash", SecretTokens.sha256(normalizeRecovery(code.toString())))
          .param("now", Jdbc.timestamp(clock.instant())).update();
    }
    return codes;
  }

  private Optional<UUID> secretOf(UserId userId) {
    return jdbc.sql("select totp_secret from users where id = :id").param("id", userId.value())
        .query((rs, n) -> Optional.ofNullable(Jdbc.uuid(rs, "totp_secret"))).optional().flatMap(o -> o);
  }

  private static String normalizeRecovery(String code) {
    return code.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "");
  }

  private static String padded(String base32) {
    int pad = (8 - base32.length() % 8) % 8;
    return base32 + "=".repeat(pad);
  }

  private <T> T platform(Supplier<T> work) {
    return DataScope.callAsPlatform(() -> tx.execute(s -> work.get()));
  }
}
