package dev.reef.orchestration.internal.process;

import dev.reef.orchestration.AgentEgress;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import org.apache.catalina.connector.Connector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.tomcat.TomcatContextCustomizer;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;

/** The process driver, chosen by {@code REEF_COMPUTE_DRIVER=process}, which is also the default. */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "reef.compute.driver", havingValue = ProcessComputeDriver.NAME, matchIfMissing = true)
@EnableConfigurationProperties({ProcessDriverProperties.class, SandboxProperties.class})
class ProcessDriverConfiguration {

  private static final Duration ROTATION_CHECK = Duration.ofSeconds(10);
  private static final Logger log = LoggerFactory.getLogger(ProcessDriverConfiguration.class);

  @Bean
  Sandboxing sandboxing(Environment environment, SandboxProperties properties, ObjectProvider<JdbcClient> jdbc,
      ObjectProvider<TransactionTemplate> tx, ObjectProvider<Clock> clock, ObjectProvider<AgentEgress> egress) {
    if (!properties.enabled()) {
      log.warn("AGENTS ARE NOT SANDBOXED (REEF_SANDBOX=none): each agent runs as Reef's own user and can read "
          + "Reef's data, other agents' files and environment, and reach the network. For development only.");
      return Sandboxing.off();
    }
    boolean root = UnixSockets.ownUid() == 0;
    SandboxSupport.Status support = SandboxSupport.probe(root, properties.uidBase(), properties.bwrap());
    if (!support.usable()) {
      log.error("Agents cannot be started: {}", support.problem().orElseThrow());
    } else if (support.weaker().isEmpty()) {
      log.info("Agents run sandboxed by bubblewrap, each tenant's as a uid of its own from {}",
          properties.uidBase());
    } else {
      support.weaker().forEach(line -> log.warn("Agents run sandboxed by bubblewrap, weaker here: {}", line));
    }
    Path dataDir = dataDir(environment);
    Path runRoot = properties.runBase(root).resolve(shortHash(dataDir.toString()));
    LlmDoor door = new LlmDoor(runRoot.resolve("llm"));
    try {
      Files.createDirectories(runRoot);
      Files.setPosixFilePermissions(runRoot, PosixFilePermissions.fromString("rwx------"));
      door.prepare();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot make the sandbox's socket directory " + runRoot
          + "; set REEF_SANDBOX_RUN_DIR to a directory Reef may write", e);
    }
    return new Sandboxing(true, support, new SandboxUids.Recorded(jdbc.getObject(), tx.getObject(),
        properties.uidBase(), properties.uidCount(), Path.of("/etc/passwd"), clock.getObject()), runRoot, door,
        egress.getIfAvailable(() -> AgentEgress.NONE), disks(root));
  }

  private static AgentDisks disks(boolean root) {
    AgentDisks disks = AgentDisks.detect(root);
    if (disks.usable()) {
      log.info("Process driver: {}", disks.describe());
    } else {
      log.warn("Process driver: {}", disks.describe());
    }
    return disks;
  }

  /**
   * Sandboxed agents reach the LLM proxy through a Unix socket Tomcat listens on besides its TCP port. Only the LLM
   * proxy ({@code /v1/}) answers there: {@link AgentDoorValve} turns everything else away.
   */
  @Bean
  WebServerFactoryCustomizer<TomcatServletWebServerFactory> agentLlmDoor(Sandboxing sandboxing,
      Environment environment) {
    return factory -> {
      if (sandboxing.llmDoor() == null) {
        return;
      }
      Connector connector = new Connector(TomcatServletWebServerFactory.DEFAULT_PROTOCOL);
      connector.setProperty(AgentDoorValve.UNIX_SOCKET, sandboxing.llmDoor().socket().toString());
      connector.setProperty("unixDomainSocketPathPermissions", "rw-rw-rw-");
      connector.setProperty("maxKeepAliveRequests",
          environment.getProperty("server.tomcat.max-keep-alive-requests", "1000"));
      factory.addAdditionalConnectors(connector);
    };
  }

  @Bean
  SandboxHealthIndicator sandboxHealthIndicator(Sandboxing sandboxing, ProcessComputeDriver driver) {
    return new SandboxHealthIndicator(sandboxing, driver);
  }

  @Bean
  TomcatContextCustomizer agentDoorValve() {
    return context -> context.getPipeline().addValve(new AgentDoorValve());
  }

  @Bean(destroyMethod = "close")
  ProcessComputeDriver processComputeDriver(Environment environment, ProcessDriverProperties properties,
      Sandboxing sandboxing) {
    Cgroups cgroups = properties.cgroups()
        ? Cgroups.detect(Path.of("/proc/self/mounts"), properties.cgroupParent())
        : Cgroups.disabled("switched off (REEF_PROCESS_CGROUPS=false)");
    if (cgroups.enforcesMemory()) {
      log.info("Process driver: {}", cgroups.describe());
    } else {
      log.warn("Process driver: {}. Agents are told their memory limit (a runtime may size its heap by it) but the "
          + "system does not hold them to it.", cgroups.describe());
    }
    return new ProcessComputeDriver(dataDir(environment), () -> proxyBaseUrl(environment), ProcessTable.system(),
        cgroups, new LogRotation(properties.logMaxSize().toBytes(), properties.logFiles()), ROTATION_CHECK,
        sandboxing);
  }

  private static Path dataDir(Environment environment) {
    return Path.of(environment.getProperty("reef.data-dir", ".reef-data")).toAbsolutePath().normalize();
  }

  /** Twelve hex digits of SHA-256: one socket directory per data directory, short enough for socket paths. */
  static String shortHash(String value) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 6);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }

  /**
   * Reef's LLM proxy as agents on this machine reach it: over loopback, at the port the server really listens on
   * ({@code local.server.port} once it has started, which differs from {@code server.port} when that is 0).
   */
  static String proxyBaseUrl(Environment environment) {
    String port = environment.getProperty("local.server.port", environment.getProperty("server.port", "8080"));
    String address = environment.getProperty("server.address", "");
    String host = address.isBlank() || address.equals("0.0.0.0") || address.equals("::") ? "127.0.0.1"
        : address.contains(":") ? "[" + address + "]" : address;
    return "http://" + host + ":" + port + "/v1";
  }
}
