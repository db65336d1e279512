package dev.reef.orchestration.internal.process;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Set;
import java.util.UUID;
import java.util.function.BiPredicate;

/**
 * Gives each agent its own loopback address, so agents never compete for ports and each can be told apart by its
 * address alone. Linux routes all of 127.0.0.0/8 to the loopback interface, so any such address can be bound
 * without configuration. Addresses are derived from the agent id (the same agent gets the same address again) and
 * stay out of 127.0.0.0/16, where 127.0.0.1 and the 127.0.1.1 some distributions give the host name live, and out
 * of 127.255.0.0/16, next to the /8's broadcast address; the last byte is never 0 or 255.
 */
final class LoopbackAddresses {

  /** Candidates tried before giving up: 16.5 million addresses make a run of taken ones this long unthinkable. */
  static final int ATTEMPTS = 64;

  private LoopbackAddresses() {}

  /** The {@code attempt}-th address for this agent: a hash of the agent id and the attempt. */
  static String candidate(UUID agentId, int attempt) {
    byte[] hash = sha256(ByteBuffer.allocate(20).putLong(agentId.getMostSignificantBits())
        .putLong(agentId.getLeastSignificantBits()).putInt(attempt).array());
    int second = 1 + Byte.toUnsignedInt(hash[0]) % 254;
    int third = Byte.toUnsignedInt(hash[1]);
    int fourth = 1 + Byte.toUnsignedInt(hash[2]) % 254;
    return "127." + second + "." + third + "." + fourth;
  }

  /**
   * The first candidate that no other agent holds ({@code reserved}: addresses of agents that exist, running or
   * not) and that {@code free} says can be listened on at {@code port}.
   *
   * @throws IllegalStateException when none of {@link #ATTEMPTS} candidates is usable
   */
  static String allocate(UUID agentId, int port, Set<String> reserved, BiPredicate<String, Integer> free) {
    String lastRefused = null;
    for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
      String address = candidate(agentId, attempt);
      if (reserved.contains(address)) {
        continue;
      }
      if (free.test(address, port)) {
        return address;
      }
      lastRefused = address;
    }
    throw new IllegalStateException("No loopback address is free for agent " + agentId + " on port " + port
        + (lastRefused == null ? "" : ": binding " + lastRefused + ":" + port + " failed. Is port " + port
            + " taken on all addresses (0.0.0.0) by another program, or does this system not route 127.0.0.0/8 "
            + "to the loopback interface (only Linux does by default)?"));
  }

  /** Whether a listening socket can be bound at {@code host:port} right now. */
  static boolean canListen(String host, int port) {
    try (ServerSocket socket = new ServerSocket()) {
      socket.bind(new InetSocketAddress(host, port));
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static byte[] sha256(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
