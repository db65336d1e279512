package dev.reef.access;

import dev.reef.common.Actor;
import dev.reef.common.UserId;
import java.util.List;

/**
 * Optional two-factor login with an authenticator app (TOTP, RFC 6238: 6 digits, 30 s) and single-use recovery
 * codes. Turned on and off by the person in their account page; once on, a login asks for a code after the
 * password ({@link SecondFactorLogin}).
 */
public interface TwoFactor {

  /** How many recovery codes a person gets at a time. */
  int RECOVERY_CODES = 10;

  boolean enabled(UserId userId);

  /** A fresh secret to enrol an authenticator app with; nothing is stored until {@link #enable}. */
  Enrollment begin(UserId userId);

  /**
   * Turns two-factor login on with the secret from {@link #begin}, once a code from the app proves it was added.
   *
   * @return the recovery codes, shown once
   * @throws dev.reef.common.InvalidRequestException when the code is not the app's current one
   */
  List<String> enable(UserId userId, String secret, String code, Actor actor);

  /** Turns it off; the password and a current code (or a recovery code) are asked for. */
  void disable(UserId userId, String password, String code, Actor actor);

  /** New recovery codes (the old ones stop working) after a current code; shown once. */
  List<String> newRecoveryCodes(UserId userId, String code, Actor actor);

  /** Recovery codes not used yet. */
  int recoveryCodesLeft(UserId userId);

  /**
   * @param secret the shared secret in Base32, for typing into an app
   * @param uri the {@code otpauth://} address a QR code carries
   */
  record Enrollment(String secret, String uri) implements java.io.Serializable {}
}
