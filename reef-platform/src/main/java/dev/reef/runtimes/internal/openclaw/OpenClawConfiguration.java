package dev.reef.runtimes.internal.openclaw;

import dev.reef.orchestration.AgentRuntime;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(RuntimesProperties.class)
class OpenClawConfiguration {

  /** A cold install takes about 45 s on two cores; allow for a slow registry, not for a hung one. */
  static final Duration INSTALL_TIMEOUT = Duration.ofMinutes(15);

  @Bean(OpenClawRuntime.NAME)
  AgentRuntime openclaw(RuntimesProperties properties, Clock clock) {
    Map<String, String> environment = System.getenv();
    OpenClawInstaller installer = new OpenClawInstaller(OpenClawInstaller.findNpm(environment).orElse(null),
        environment, INSTALL_TIMEOUT);
    InstallCache cache = new InstallCache(OpenClawRuntime.NAME, properties.cache().resolve(OpenClawRuntime.NAME),
        installer, clock);
    java.nio.file.Path npm = OpenClawInstaller.findNpm(environment).orElse(null);
    ChannelPlugins plugins = new ChannelPlugins(properties.cache().resolve("openclaw-plugins"), installer,
        cache::home, clock);
    return new OpenClawRuntime(cache, properties.openclaw().version(), new NpmRegistryVersions(npm, installer,
        properties.cache(), clock), plugins);
  }
}
