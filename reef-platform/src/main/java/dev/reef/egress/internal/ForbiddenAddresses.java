package dev.reef.egress.internal;

import java.math.BigInteger;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Addresses the egress proxy never connects to, whatever a tenant's allowlist says: this machine's own, loopback,
 * private and shared ranges, link-local (where clouds serve instance metadata: 169.254.169.254, fd00:ec2::254,
 * Alibaba's 100.100.100.200), multicast and reserved ones. Checked on the address a name resolved to, at connect
 * time, so a name that points (or is re-pointed) at one of these is refused too.
 */
final class ForbiddenAddresses {

  private record Range(BigInteger first, BigInteger last, String why) {

    static Range of(String cidr, String why) {
      String[] parts = cidr.split("/");
      try {
        byte[] bytes = InetAddress.getByName(parts[0]).getAddress();
        int bits = bytes.length * 8;
        int prefix = Integer.parseInt(parts[1]);
        BigInteger base = new BigInteger(1, bytes);
        BigInteger size = BigInteger.ONE.shiftLeft(bits - prefix);
        BigInteger first = base.divide(size).multiply(size);
        return new Range(first, first.add(size).subtract(BigInteger.ONE), why);
      } catch (UnknownHostException e) {
        throw new IllegalArgumentException(cidr, e);
      }
    }

    boolean contains(BigInteger address) {
      return address.compareTo(first) >= 0 && address.compareTo(last) <= 0;
    }
  }

  private static final List<Range> IPV4 = List.of(
      Range.of("0.0.0.0/8", "this network (0.0.0.0/8)"),
      Range.of("10.0.0.0/8", "a private network"),
      Range.of("100.64.0.0/10", "shared address space (carrier NAT, cloud metadata)"),
      Range.of("127.0.0.0/8", "loopback"),
      Range.of("169.254.0.0/16", "link-local (cloud instance metadata)"),
      Range.of("172.16.0.0/12", "a private network"),
      Range.of("192.0.0.0/24", "IETF protocol assignments"),
      Range.of("192.168.0.0/16", "a private network"),
      Range.of("198.18.0.0/15", "benchmarking networks"),
      Range.of("224.0.0.0/4", "multicast"),
      Range.of("240.0.0.0/4", "reserved"));

  private static final List<Range> IPV6 = List.of(
      Range.of("::/128", "unspecified"),
      Range.of("::1/128", "loopback"),
      Range.of("100::/64", "discard-only"),
      Range.of("fc00::/7", "a unique local (private) network, cloud instance metadata"),
      Range.of("fe80::/10", "link-local"),
      Range.of("fec0::/10", "site-local"),
      Range.of("ff00::/8", "multicast"));

  /** IPv6 ranges that carry an IPv4 address in their last 32 bits, which is then what counts. */
  private static final List<Range> EMBEDDING_IPV4 = List.of(
      // written out: Java reads "::ffff:a.b.c.d" as the IPv4 address itself
      new Range(BigInteger.valueOf(0xffffL).shiftLeft(32),
          BigInteger.valueOf(0xffffL).shiftLeft(32).add(BigInteger.valueOf(0xffffffffL)), "IPv4-mapped"),
      Range.of("::/96", "IPv4-compatible"),
      Range.of("64:ff9b::/96", "NAT64"),
      Range.of("64:ff9b:1::/48", "local NAT64"));

  private ForbiddenAddresses() {}

  /** Why {@code address} may not be connected to, or empty when it may. */
  static Optional<String> why(InetAddress address) {
    BigInteger value = new BigInteger(1, address.getAddress());
    if (address instanceof Inet4Address) {
      return ipv4(value);
    }
    if (address instanceof Inet6Address) {
      for (Range embedding : EMBEDDING_IPV4) {
        if (embedding.contains(value) && !value.equals(BigInteger.ZERO) && !value.equals(BigInteger.ONE)) {
          return ipv4(value.and(BigInteger.valueOf(0xffffffffL)));
        }
      }
      for (Range range : IPV6) {
        if (range.contains(value)) {
          return Optional.of(range.why());
        }
      }
    }
    if (local(address)) {
      return Optional.of("an address of this machine");
    }
    return Optional.empty();
  }

  private static Optional<String> ipv4(BigInteger value) {
    for (Range range : IPV4) {
      if (range.contains(value)) {
        return Optional.of(range.why());
      }
    }
    if (value.equals(BigInteger.valueOf(0xffffffffL))) {
      return Optional.of("broadcast");
    }
    try {
      byte[] bytes = value.toByteArray();
      byte[] four = new byte[4];
      System.arraycopy(bytes, Math.max(0, bytes.length - 4), four, Math.max(0, 4 - bytes.length),
          Math.min(4, bytes.length));
      if (local(InetAddress.getByAddress(four))) {
        return Optional.of("an address of this machine");
      }
    } catch (UnknownHostException e) {
      return Optional.of("not an address");
    }
    return Optional.empty();
  }

  /** This machine's addresses, read again when older than {@link #LOCAL_FRESHNESS_NANOS}. */
  private static volatile Set<InetAddress> localAddresses = Set.of();
  private static volatile long localReadAt = Long.MIN_VALUE;
  private static final long LOCAL_FRESHNESS_NANOS = 5_000_000_000L;

  /**
   * Whether one of this machine's network interfaces has the address (Reef's own services may listen there). The
   * interfaces are listed at most every few seconds: listing them takes system calls per interface, on every
   * connection an agent makes otherwise.
   */
  private static boolean local(InetAddress address) {
    if (address.isAnyLocalAddress()) {
      return true;
    }
    long now = System.nanoTime();
    if (now - localReadAt > LOCAL_FRESHNESS_NANOS || localReadAt == Long.MIN_VALUE) {
      try {
        Set<InetAddress> found = new HashSet<>();
        for (NetworkInterface nic : java.util.Collections.list(NetworkInterface.getNetworkInterfaces())) {
          found.addAll(java.util.Collections.list(nic.getInetAddresses()));
        }
        localAddresses = Set.copyOf(found);
        localReadAt = now;
      } catch (SocketException e) {
        return true; // cannot tell: treat as this machine's
      }
    }
    return localAddresses.contains(address);
  }
}
