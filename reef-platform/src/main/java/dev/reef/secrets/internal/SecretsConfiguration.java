package dev.reef.secrets.internal;

import dev.reef.platform.ReefProperties;
import java.security.SecureRandom;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
class SecretsConfiguration {

  /** Loaded while the context starts, so a missing or malformed master key stops Reef before it serves anything. */
  @Bean
  MasterKeys masterKeys(SecretsProperties properties, ReefProperties reef) {
    return MasterKeys.load(properties, reef.embedded(), reef.dataDir(), new SecureRandom());
  }

  @Bean
  EnvelopeCipher envelopeCipher() {
    return new EnvelopeCipher(new SecureRandom());
  }
}
