package dev.reef.egress.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.reef.common.InvalidRequestException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Allowlist entries: what they match, and every kind of bad entry refused with the entry named. */
class EgressRuleTest {

  private static final JsonMapper JSON = JsonMapper.builder().build();

  private static List<EgressRule> parse(String json) {
    return EgressRule.parseAll(JSON.readTree(json), "rules");
  }

  @Test
  void exactHost_matchesThatHostOnItsPortsOnly() {
    EgressRule rule = parse("[{\"host\": \"API.GitHub.com.\", \"ports\": [443, 80]}]").getFirst();

    assertThat(rule.host()).isEqualTo("api.github.com");
    assertThat(rule.ports()).containsExactly(80, 443);
    assertThat(rule.matches("api.github.com", 443)).isTrue();
    assertThat(rule.matches("api.github.com", 22)).isFalse();
    assertThat(rule.matches("evil-api.github.com", 443)).isFalse();
    assertThat(rule.matches("github.com", 443)).isFalse();
  }

  @Test
  void wildcard_matchesSubdomainsAtAnyDepth_notTheDomainItself_norLookalikes() {
    EgressRule rule = parse("[{\"host\": \"*.pypi.org\"}]").getFirst();

    assertThat(rule.ports()).containsExactly(443);
    assertThat(rule.matches("files.pypi.org", 443)).isTrue();
    assertThat(rule.matches("a.b.pypi.org", 443)).isTrue();
    assertThat(rule.matches("pypi.org", 443)).isFalse();
    assertThat(rule.matches("evilpypi.org", 443)).isFalse();
    assertThat(rule.matches("pypi.org.evil.com", 443)).isFalse();
  }

  @Test
  void ipLiterals_areKeptInCanonicalForm() {
    assertThat(parse("[{\"host\": \"140.82.112.3\"}, {\"host\": \"[2606:50C0:8000::153]\"}]"))
        .extracting(EgressRule::host).containsExactly("140.82.112.3", "2606:50c0:8000:0:0:0:0:153");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "[{\"host\": \"*\"}]                                   | rules[0].host  | would allow every host",
      "[{\"host\": \"ok.example.com\"}, {\"host\": \"*.com\"}] | rules[1].host  | every host under a top-level domain",
      "[{\"host\": \"a*.example.com\"}]                      | rules[0].host  | a wildcard may only be a whole first label",
      "[{\"host\": \"*.*.example.com\"}]                     | rules[0].host  | a wildcard may only be a whole first label",
      "[{\"host\": \"localhost\"}]                           | rules[0].host  | not a fully qualified name",
      "[{\"host\": \"metadata.google.internal\"}]            | rules[0].host  | a local or internal name",
      "[{\"host\": \"printer.local\"}]                       | rules[0].host  | a local or internal name",
      "[{\"host\": \"169.254.169.254\"}]                     | rules[0].host  | link-local (cloud instance metadata)",
      "[{\"host\": \"10.0.0.5\"}]                            | rules[0].host  | a private network",
      "[{\"host\": \"127.0.0.1\"}]                           | rules[0].host  | loopback",
      "[{\"host\": \"::1\"}]                                 | rules[0].host  | loopback",
      "[{\"host\": \"fd00:ec2::254\"}]                       | rules[0].host  | cloud instance metadata",
      "[{\"host\": \"256.1.1.1\"}]                           | rules[0].host  | not a valid IPv4 address",
      "[{\"host\": \"010.1.1.1\"}]                           | rules[0].host  | not a valid IPv4 address",
      "[{\"host\": \"example.com:443\"}]                     | rules[0].host  | neither a host name nor an IP address",
      "[{\"host\": \"exa mple.com\"}]                        | rules[0].host  | is not a host name",
      "[{\"host\": \"\"}]                                    | rules[0].host  | must not be empty",
      "[{\"host\": 7}]                                       | rules[0].host  | is required",
      "[{\"ports\": [443]}]                                  | rules[0].host  | is required",
      "[{\"host\": \"a.example.com\", \"ports\": []}]        | rules[0].ports | non-empty array",
      "[{\"host\": \"a.example.com\", \"ports\": [0]}]       | rules[0].ports[0] | from 1 to 65535",
      "[{\"host\": \"a.example.com\", \"ports\": [65536]}]   | rules[0].ports[0] | from 1 to 65535",
      "[{\"host\": \"a.example.com\", \"ports\": [443.5]}]   | rules[0].ports[0] | from 1 to 65535",
      "[{\"host\": \"a.example.com\", \"ports\": [\"443\"]}] | rules[0].ports[0] | from 1 to 65535",
      "[{\"host\": \"a.example.com\", \"port\": 443}]        | rules[0].port  | unknown field",
      "[\"a.example.com\"]                                   | rules[0]       | must be an object",
      "{\"host\": \"a.example.com\"}                         | rules          | must be an array"})
  void badEntries_areRefusedNamingTheEntry(String json, String field, String message) {
    assertThatThrownBy(() -> parse(json)).isInstanceOf(InvalidRequestException.class)
        .hasMessageStartingWith(field.trim() + ": ").hasMessageContaining(message.trim());
  }

  @Test
  void tooManyEntries_areRefused() {
    StringBuilder json = new StringBuilder("[");
    for (int i = 0; i <= EgressRule.MAX_RULES; i++) {
      json.append(i == 0 ? "" : ",").append("{\"host\": \"h").append(i).append(".example.com\"}");
    }
    JsonNode rules = JSON.readTree(json.append("]").toString());
    assertThatThrownBy(() -> EgressRule.parseAll(rules, "rules")).hasMessageContaining("at most 200");
  }
}
