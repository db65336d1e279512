package dev.reef.access;

/**
 * "Forgot your password": a single-use link by email, expiring, rate-limited, and saying nothing about whether an
 * address has an account. For the dashboard's pages; anyone may call it (the token authorises the reset).
 */
public interface PasswordResets {

  /** Whether reset links can be sent here: an SMTP server and {@code REEF_PUBLIC_URL} (the links' address) are set. */
  boolean available();

  /**
   * Sends a reset link to {@code email} if it has an account; the same outcome either way, so nobody learns which
   * addresses do. Refused (429) when asked too often for the address or from the client address.
   */
  void request(String email, String sourceAddress);

  /** Whether {@code token} is a link that can still be used (for the form; the reset checks again). */
  boolean usable(String token);

  /**
   * Sets the new password (the policy applies), uses the link up, and signs the person out everywhere.
   *
   * @throws dev.reef.common.NotFoundException when the link is unknown, used or expired
   */
  void reset(String token, String newPassword, String sourceAddress);
}
