package dev.reef.testing;

import com.eatthepath.otp.TimeBasedOneTimePasswordGenerator;
import java.security.InvalidKeyException;
import java.time.Instant;
import java.util.Locale;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.util.encoders.Base32;

/** What an authenticator app shows for a TOTP key (Base32, as Reef's set-up page gives it) in a 30-second step. */
public final class AuthenticatorApp {

  private AuthenticatorApp() {}

  public static String code(String secret, long step) {
    String padded = secret + "=".repeat((8 - secret.length() % 8) % 8);
    try {
      return new TimeBasedOneTimePasswordGenerator().generateOneTimePasswordString(
          new SecretKeySpec(Base32.decode(padded), "HmacSHA1"), Instant.ofEpochSecond(step * 30), Locale.ROOT);
    } catch (InvalidKeyException e) {
      throw new IllegalArgumentException("not a TOTP key: " + secret, e);
    }
  }
}
