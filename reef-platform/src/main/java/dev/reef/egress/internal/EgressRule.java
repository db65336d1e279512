package dev.reef.egress.internal;

import dev.reef.common.InvalidRequestException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.TreeSet;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;

/**
 * One allowlist entry: a host pattern and the ports it may be reached on. A pattern is a DNS name
 * ({@code api.github.com}), a wildcard over a domain's subdomains ({@code *.github.com}, which does not match
 * {@code github.com} itself), or an IP literal ({@code 140.82.112.3}, {@code 2606:50c0:8000::153}).
 */
record EgressRule(String host, List<Integer> ports) {

  static final int MAX_RULES = 200;
  static final int MAX_PORTS = 32;
  static final List<Integer> DEFAULT_PORTS = List.of(443);

  private static final Pattern LABEL = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
  private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
  private static final Pattern IPV6 = Pattern.compile("[0-9a-f:.]+");
  private static final List<String> LOCAL_SUFFIXES = List.of("localhost", "local", "internal", "localdomain",
      "home.arpa", "in-addr.arpa", "ip6.arpa");

  EgressRule {
    ports = List.copyOf(ports);
  }

  boolean wildcard() {
    return host.startsWith("*.");
  }

  /** Whether a connection to {@code destination} (normalized) on {@code port} is what this entry allows. */
  boolean matches(String destination, int port) {
    if (!ports.contains(port)) {
      return false;
    }
    if (wildcard()) {
      return destination.endsWith(host.substring(1)) && destination.length() > host.length() - 1;
    }
    return destination.equals(host);
  }

  /** Whether a (normalized) host is an IP address rather than a name. */
  static boolean isAddress(String host) {
    return IPV4.matcher(host).matches() || host.contains(":");
  }

  /** A destination host as the proxy compares it: lower case, no trailing dot, IPv6 without brackets. */
  static String normalize(String host) {
    String h = host.trim().toLowerCase(Locale.ROOT);
    if (h.startsWith("[") && h.endsWith("]")) {
      h = h.substring(1, h.length() - 1);
    }
    if (h.endsWith(".")) {
      h = h.substring(0, h.length() - 1);
    }
    return h;
  }

  /** Parses and checks a list of entries ({@code [{"host": ..., "ports": [...]}, ...]}); 400 naming the entry. */
  static List<EgressRule> parseAll(JsonNode rules, String field) {
    if (rules == null || !rules.isArray()) {
      throw new InvalidRequestException(field, "must be an array of {\"host\": \"api.example.com\", \"ports\": "
          + "[443]}");
    }
    if (rules.size() > MAX_RULES) {
      throw new InvalidRequestException(field, "may hold at most " + MAX_RULES + " entries");
    }
    List<EgressRule> parsed = new ArrayList<>();
    for (int i = 0; i < rules.size(); i++) {
      parsed.add(parse(rules.get(i), field + "[" + i + "]"));
    }
    return List.copyOf(parsed);
  }

  static EgressRule parse(JsonNode entry, String field) {
    if (entry == null || !entry.isObject()) {
      throw new InvalidRequestException(field, "must be an object like {\"host\": \"api.example.com\", "
          + "\"ports\": [443]}");
    }
    for (String name : entry.propertyNames()) {
      if (!name.equals("host") && !name.equals("ports")) {
        throw new InvalidRequestException(field + "." + name, "unknown field; an entry has host and ports");
      }
    }
    JsonNode host = entry.get("host");
    if (host == null || !host.isString()) {
      throw new InvalidRequestException(field + ".host", "is required: a host name, *.domain or an IP address");
    }
    String pattern = checkHost(normalize(host.asString()), field + ".host");
    return new EgressRule(pattern, checkPorts(entry.get("ports"), field + ".ports"));
  }

  private static String checkHost(String h, String field) {
    if (h.isEmpty()) {
      throw new InvalidRequestException(field, "must not be empty");
    }
    if (h.equals("*") || h.equals("*.")) {
      throw new InvalidRequestException(field, "'*' would allow every host; name the hosts or domains to allow");
    }
    if (IPV4.matcher(h).matches() || h.contains(":")) {
      return checkAddress(h, field);
    }
    boolean wildcard = h.startsWith("*.");
    String name = wildcard ? h.substring(2) : h;
    if (name.contains("*")) {
      throw new InvalidRequestException(field, "a wildcard may only be a whole first label, as in *.example.com");
    }
    if (name.length() > 253) {
      throw new InvalidRequestException(field, "is longer than a host name may be (253 characters)");
    }
    String[] labels = name.split("\\.", -1);
    for (String label : labels) {
      if (!LABEL.matcher(label).matches()) {
        throw new InvalidRequestException(field, "'" + h + "' is not a host name: each label is 1 to 63 letters, "
            + "digits or dashes (internationalized names in their xn-- form)");
      }
    }
    if (labels.length < 2) {
      throw new InvalidRequestException(field, wildcard
          ? "'" + h + "' would allow every host under a top-level domain; name a domain, as in *.example.com"
          : "'" + h + "' is not a fully qualified name; name the host, as in api.example.com");
    }
    for (String suffix : LOCAL_SUFFIXES) {
      if (name.equals(suffix) || name.endsWith("." + suffix)) {
        throw new InvalidRequestException(field, "'" + h + "' is a local or internal name, which agents may never "
            + "reach");
      }
    }
    return h;
  }

  private static String checkAddress(String h, String field) {
    if (h.contains(":") && !IPV6.matcher(h).matches()) {
      throw new InvalidRequestException(field, "'" + h + "' is neither a host name nor an IP address (a port goes "
          + "in ports)");
    }
    if (IPV4.matcher(h).matches()) {
      for (String octet : h.split("\\.")) {
        if (Integer.parseInt(octet) > 255 || octet.length() > 1 && octet.startsWith("0")) {
          throw new InvalidRequestException(field, "'" + h + "' is not a valid IPv4 address");
        }
      }
    }
    InetAddress address;
    try {
      address = InetAddress.getByName(h); // a literal (checked above): parsed, never looked up
    } catch (UnknownHostException e) {
      throw new InvalidRequestException(field, "'" + h + "' is not a valid IP address");
    }
    if (IPV4.matcher(h).matches() && !address.getHostAddress().equals(h)) {
      throw new InvalidRequestException(field, "'" + h + "' is not a valid IPv4 address");
    }
    Optional<String> forbidden = ForbiddenAddresses.why(address);
    if (forbidden.isPresent()) {
      throw new InvalidRequestException(field, "'" + h + "' is " + forbidden.get() + ", which agents may never "
          + "reach");
    }
    return address.getHostAddress().toLowerCase(Locale.ROOT).replaceFirst("%.*$", "");
  }

  private static List<Integer> checkPorts(JsonNode ports, String field) {
    if (ports == null || ports.isNull()) {
      return DEFAULT_PORTS;
    }
    if (!ports.isArray() || ports.isEmpty()) {
      throw new InvalidRequestException(field, "must be a non-empty array of port numbers, as in [443]");
    }
    if (ports.size() > MAX_PORTS) {
      throw new InvalidRequestException(field, "may list at most " + MAX_PORTS + " ports");
    }
    TreeSet<Integer> checked = new TreeSet<>();
    for (int i = 0; i < ports.size(); i++) {
      JsonNode port = ports.get(i);
      if (!port.isIntegralNumber() || !port.canConvertToInt() || port.asInt() < 1 || port.asInt() > 65535) {
        throw new InvalidRequestException(field + "[" + i + "]", "must be a port number from 1 to 65535");
      }
      checked.add(port.asInt());
    }
    return List.copyOf(checked);
  }
}
