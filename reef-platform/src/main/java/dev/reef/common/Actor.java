package dev.reef.common;

/**
 * Who did something, as recorded in the audit log.
 *
 * @param kind {@code user}, {@code api_key}, {@code operator_key}, {@code agent} or {@code system}
 * @param id the user, key or agent id; empty for the system
 * @param display something a human recognises (an email, a key name)
 * @param sourceAddress the client's IP address, or empty for background work
 */
public record Actor(String kind, String id, String display, String sourceAddress) {

  public static Actor system() {
    return new Actor("system", "", "Reef", "");
  }
}
