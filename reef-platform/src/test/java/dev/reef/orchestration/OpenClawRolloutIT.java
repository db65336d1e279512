package dev.reef.orchestration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.reef.testing.Api;
import dev.reef.testing.Api.Response;
import dev.reef.testing.GatewayFixture;
import dev.reef.testing.MockUpstream;
import dev.reef.testing.ReefIT;
import dev.reef.testing.RequiredService;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Value;
import tools.jackson.databind.JsonNode;

/**
 * A rollout with the real thing: an OpenClaw agent made on 2026.9.5 (its tenant pinned that version, installed
 * through the API from the npm registry) is moved to 2026.9.6 and checked healthy; then a rollout to a deliberately
 * broken build (a copy of the install whose entry point exits at once) fails its canary and moves the agent back.
 *
 * <p>Upwards, not down: OpenClaw migrates its state database at start and a older build refuses a newer schema
 * (exit code 78, "database schema(s) are newer than this build"), which is what a rollback after a migration meets.
 */
class OpenClawRolloutIT extends ReefIT {

  private static final String OLDER = "2026.9.5";
  private static final String NEWER = "2026.9.6";
  private static final String BROKEN = "2026.9.6-broken.1";
  private static final String ROLLOUTS = "/api/v1/runtimes/rollouts";
  private static final MockUpstream UPSTREAM = new MockUpstream();

  @Value("${reef.runtimes.cache}")
  String cache;

  @BeforeAll
  static void needsNpm() {
    RequiredService.requireNpm();
  }

  @AfterAll
  static void stopUpstream() {
    UPSTREAM.close();
  }

  @Test
  void movesARealAgentToAnotherVersion_andBackFromABrokenOne() throws Exception {
    GatewayFixture catalog = new GatewayFixture(api, UPSTREAM, unique("claw-rollout"));
    SignedUp tenant = signUp("Claw Rollout");
    catalog.generousLimits(tenant.tenantId());
    install(OLDER);
    install(NEWER);
    // The tenant holds its agents on the older version, so its new agent gets it
    assertThat(api.put("/api/v1/tenants/" + tenant.tenantId() + "/limits", MASTER_KEY,
        Map.of("runtimePinDays", 1)).status()).isEqualTo(200);
    String pin = "/api/v1/tenants/" + tenant.tenantId() + "/runtime-pins/openclaw";
    assertThat(api.put(pin, tenant.apiKey(), Map.of("version", OLDER)).status()).isEqualTo(200);
    String agents = "/api/v1/tenants/" + tenant.tenantId() + "/agents";
    Response created = api.post(agents, tenant.apiKey(), Api.body("name", "claw", "runtime", "openclaw",
        "model", catalog.gpt));
    assertThat(created.status()).as(created.toString()).isEqualTo(201);
    String agent = agents + "/" + created.at("/id");
    Path broken = openclawCache().resolve(BROKEN);
    try {
      awaitRunning(agent, tenant.apiKey(), Duration.ofMinutes(3));
      assertThat(api.get(agent, tenant.apiKey()).at("/runtimeVersion")).isEqualTo(OLDER);
      assertThat(api.delete(pin, tenant.apiKey()).status()).isEqualTo(204);

      JsonNode moved = rollOut(tenant, NEWER, "completed");
      assertThat(moved.at("/agents/healthy").asInt()).isEqualTo(1);
      JsonNode now = api.get(agent, tenant.apiKey()).json();
      assertThat(now.path("runtimeVersion").asString()).isEqualTo(NEWER);
      assertThat(now.path("state").asString()).isEqualTo("running");
      assertThat(events(agent, tenant.apiKey())).anyMatch(r -> r.startsWith("ready on openclaw " + NEWER));

      makeBrokenBuild(openclawCache().resolve(NEWER), broken);
      JsonNode failed = rollOut(tenant, BROKEN, "failed");
      assertThat(failed.path("reason").asString()).contains("failed").contains("rolling back 1 agent");
      await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1)).until(() ->
          NEWER.equals(api.get(agent, tenant.apiKey()).at("/runtimeVersion")));
      awaitRunning(agent, tenant.apiKey(), Duration.ofMinutes(3));
      assertThat(events(agent, tenant.apiKey())).anyMatch(r -> r.contains("rollback of rollout"));
    } finally {
      api.delete(agent, tenant.apiKey());
      deleteTree(broken);
    }
  }

  private void install(String version) {
    Response install = api.post("/api/v1/runtimes/openclaw/installs", MASTER_KEY, Map.of("version", version));
    assertThat(install.status()).as(install.toString()).isEqualTo(202);
    await().atMost(Duration.ofMinutes(8)).pollInterval(Duration.ofSeconds(1)).until(() -> {
      String state = versionState(version);
      assertThat(state).as("installing " + version).isNotEqualTo("failed");
      return "installed".equals(state);
    });
  }

  private JsonNode rollOut(SignedUp tenant, String version, String expected) {
    Response started = api.post(ROLLOUTS, MASTER_KEY, Map.of("runtime", "openclaw", "targetVersion", version,
        "tenants", List.of(tenant.tenantId()), "pauseSeconds", 0));
    assertThat(started.status()).as(started.toString()).isEqualTo(201);
    String rollout = ROLLOUTS + "/" + started.at("/id");
    await().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofSeconds(1)).until(() -> {
      Response r = api.get(rollout, MASTER_KEY);
      assertThat(r.at("/state")).as(r.toString()).isIn("running", expected);
      return expected.equals(r.at("/state"));
    });
    return api.get(rollout, MASTER_KEY).json();
  }

  private void awaitRunning(String agent, String key, Duration within) {
    await().atMost(within).pollInterval(Duration.ofSeconds(1)).until(() -> {
      Response r = api.get(agent, key);
      assertThat(r.at("/state")).as(r.toString()).isNotEqualTo("failed");
      return "running".equals(r.at("/state"));
    });
  }

  private String versionState(String version) {
    for (JsonNode runtime : api.get("/api/v1/runtimes", MASTER_KEY).json().path("items")) {
      for (JsonNode v : runtime.path("versions")) {
        if (runtime.path("name").asString().equals("openclaw") && v.path("version").asString().equals(version)) {
          return v.path("install").asString();
        }
      }
    }
    return "absent";
  }

  private List<String> events(String agent, String key) {
    return api.get(agent + "/events", key).json().path("items").valueStream()
        .map(e -> e.path("reason").asString()).toList();
  }

  private Path openclawCache() {
    String dir = cache.startsWith("~/") ? System.getProperty("user.home") + cache.substring(1) : cache;
    return Path.of(dir, "openclaw");
  }

  /**
   * An install of OpenClaw as the cache holds one (its Node, its marker) whose entry point exits at once: what a
   * release that crashes on start looks like to Reef.
   */
  private static void makeBrokenBuild(Path from, Path to) throws IOException {
    deleteTree(to);
    Path nodeBin = to.resolve("node_modules/node/bin");
    Files.createDirectories(nodeBin);
    Files.copy(from.resolve("node_modules/node/bin/node"), nodeBin.resolve("node"),
        StandardCopyOption.COPY_ATTRIBUTES);
    Path entry = to.resolve("node_modules/openclaw/openclaw.mjs");
    Files.createDirectories(entry.getParent());
    Files.writeString(entry, "console.error('this build is broken on purpose'); process.exit(1);\n",
        StandardCharsets.UTF_8);
    Files.writeString(to.resolve(".reef-install"), "openclaw " + BROKEN + "\nbroken on purpose by a test\n",
        StandardCharsets.UTF_8);
    try (Stream<Path> all = Files.walk(to)) {
      for (Path p : all.toList()) {
        Files.setPosixFilePermissions(p, java.nio.file.attribute.PosixFilePermissions.fromString(
            Files.isDirectory(p) || p.endsWith("node") ? "rwxr-xr-x" : "rw-r--r--"));
      }
    }
  }

  private static void deleteTree(Path top) throws IOException {
    if (!Files.exists(top)) {
      return;
    }
    try (Stream<Path> all = Files.walk(top)) {
      for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
