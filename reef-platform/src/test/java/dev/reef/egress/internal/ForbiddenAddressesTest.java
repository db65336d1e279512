package dev.reef.egress.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** What the egress proxy never connects to, whatever an allowlist says. */
class ForbiddenAddressesTest {

  @ParameterizedTest(name = "{0} is {1}")
  @CsvSource(delimiter = '|', value = {
      "127.0.0.1        | loopback",
      "127.83.14.201    | loopback",
      "0.0.0.0          | this network (0.0.0.0/8)",
      "10.1.2.3         | a private network",
      "172.16.0.1       | a private network",
      "172.31.255.255   | a private network",
      "192.168.1.1      | a private network",
      "169.254.169.254  | link-local (cloud instance metadata)",
      "100.100.100.200  | shared address space (carrier NAT, cloud metadata)",
      "224.0.0.1        | multicast",
      "255.255.255.255  | reserved",
      "::1              | loopback",
      "::               | unspecified",
      "fd00:ec2::254    | a unique local (private) network, cloud instance metadata",
      "fe80::1          | link-local",
      "ff02::1          | multicast",
      "::ffff:127.0.0.1 | loopback",
      "::ffff:169.254.169.254 | link-local (cloud instance metadata)",
      "64:ff9b::a9fe:a9fe | link-local (cloud instance metadata)"})
  void forbidden(String address, String why) throws Exception {
    assertThat(ForbiddenAddresses.why(InetAddress.getByName(address.trim()))).contains(why.trim());
  }

  @ParameterizedTest
  @CsvSource({"140.82.112.3", "8.8.8.8", "172.32.0.1", "100.128.0.1", "198.51.100.2", "2606:50c0:8000::153",
      "::ffff:8.8.8.8"})
  void allowed(String address) throws Exception {
    assertThat(ForbiddenAddresses.why(InetAddress.getByName(address))).isEmpty();
  }
}
