package dev.reef.runtimes.internal.openclaw;

import dev.reef.orchestration.RuntimeInstallException;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.databind.json.JsonMapper;

/**
 * Installs OpenClaw from the npm registry: first a Node 24 binary (the npm package {@code node@24}, because the
 * machine's own Node may be older than OpenClaw's {@code engines}), then {@code openclaw@<version>} with that Node
 * first on the PATH, since OpenClaw's preinstall script refuses an older one.
 *
 * <p>npm and the packages' install scripts get a small environment built here, never Reef's own: Reef's environment
 * holds its database password and master key, and install scripts are third-party code. What passes through is
 * what npm needs to reach its registry: {@code HOME} (the npm cache and {@code ~/.npmrc}), {@code npm_config_*} and
 * the proxy and CA variables.
 */
final class OpenClawInstaller implements InstallCache.Installer {

  static final String NODE_PACKAGE = "node@24";
  static final int MIN_NODE_MAJOR = 24;
  static final String NODE_BIN = "node_modules/node/bin";
  static final String ENTRY_POINT = "node_modules/openclaw/openclaw.mjs";

  private static final List<String> PASSED_THROUGH = List.of("HOME", "TMPDIR", "LANG", "HTTP_PROXY", "HTTPS_PROXY",
      "NO_PROXY", "http_proxy", "https_proxy", "no_proxy", "NODE_EXTRA_CA_CERTS", "SSL_CERT_FILE", "SSL_CERT_DIR");
  private static final Pattern NODE_VERSION = Pattern.compile("v(\\d+)\\.(\\d+)\\.(\\d+)");
  private static final Pattern NPM_ERROR_CODE = Pattern.compile("npm (?:error|ERR!) code (\\S+)");
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final Path npm;
  private final Map<String, String> hostEnvironment;
  private final Duration timeout;

  /**
   * @param npm the npm executable, or null when there is none (the install then fails saying so)
   * @param hostEnvironment Reef's environment, from which only the variables npm needs are taken
   */
  OpenClawInstaller(Path npm, Map<String, String> hostEnvironment, Duration timeout) {
    this.npm = npm;
    this.hostEnvironment = Map.copyOf(hostEnvironment);
    this.timeout = timeout;
  }

  /** The {@code npm} on Reef's PATH, if any. */
  static Optional<Path> findNpm(Map<String, String> environment) {
    String path = environment.getOrDefault("PATH", "");
    for (String dir : path.split(File.pathSeparator)) {
      if (!dir.isEmpty()) {
        Path candidate = Path.of(dir, "npm");
        if (Files.isExecutable(candidate) && !Files.isDirectory(candidate)) {
          return Optional.of(candidate);
        }
      }
    }
    return Optional.empty();
  }

  @Override
  public void install(String version, Path target, Consumer<String> progress) throws InterruptedException {
    if (npm == null) {
      throw new RuntimeInstallException("cannot install openclaw " + version + ": npm is not on Reef's PATH "
          + "(install Node.js and npm, e.g. apt-get install nodejs npm; Reef fetches Node 24 itself)", null);
    }
    progress.accept("installing node 24 (npm package " + NODE_PACKAGE + ") from the npm registry into " + target);
    npm(target, environment(null), progress, "installing node 24 for openclaw " + version, NODE_PACKAGE);
    progress.accept("installing openclaw " + version + " from the npm registry");
    npm(target, environment(target.resolve(NODE_BIN)), progress, "installing openclaw " + version,
        "openclaw@" + version);
  }

  @Override
  public String verify(String version, Path target) throws InterruptedException {
    Path entry = target.resolve(ENTRY_POINT);
    if (!Files.isRegularFile(entry)) {
      throw new RuntimeInstallException("openclaw " + version + " is incomplete: " + ENTRY_POINT + " is missing", null);
    }
    String installed = packageVersion(target.resolve("node_modules/openclaw/package.json"));
    if (!version.equals(installed)) {
      throw new RuntimeInstallException("npm installed openclaw " + installed + " instead of " + version, null);
    }
    Path node = target.resolve(NODE_BIN).resolve("node");
    if (!Files.isExecutable(node)) {
      throw new RuntimeInstallException("openclaw " + version + " is incomplete: " + NODE_BIN + "/node is missing",
          null);
    }
    Result result = run(List.of(node.toString(), "--version"), target, environment(null), line -> {},
        Duration.ofSeconds(30));
    String reported = result.lines().isEmpty() ? "" : result.lines().getLast().strip();
    Matcher matcher = NODE_VERSION.matcher(reported);
    if (result.exitCode() != 0 || !matcher.matches()) {
      throw new RuntimeInstallException("the node installed for openclaw " + version + " does not run (exit code "
          + result.exitCode() + ", said '" + reported + "')", null);
    }
    if (Integer.parseInt(matcher.group(1)) < MIN_NODE_MAJOR) {
      throw new RuntimeInstallException("the node installed for openclaw " + version + " is " + reported
          + ", openclaw needs " + MIN_NODE_MAJOR + " or newer", null);
    }
    return "node " + reported;
  }

  /**
   * Installs one of OpenClaw's own plugin packages ({@code @openclaw/<name>@<version>}) into {@code target} with the
   * Node of {@code openclawHome}: its dependencies come bundled; its peer {@code openclaw} is not installed (a second
   * OpenClaw of some hundred MB), since it must be the running OpenClaw, which each agent's copy links to; and no
   * install script runs (they need none, and Reef installs as its own user).
   */
  void installPlugin(String packageSpec, Path target, Path openclawHome, Consumer<String> progress)
      throws InterruptedException {
    if (npm == null) {
      throw new RuntimeInstallException("cannot install " + packageSpec + ": npm is not on Reef's PATH", null);
    }
    progress.accept("installing " + packageSpec + " from the npm registry");
    npm(target, environment(openclawHome.resolve(NODE_BIN)), progress, "installing " + packageSpec, packageSpec,
        "--omit=peer", "--legacy-peer-deps", "--ignore-scripts");
  }

  /** npm install into {@code target}; throws with npm's own error lines when it fails. */
  private void npm(Path target, Map<String, String> environment, Consumer<String> progress, String what,
      String packageSpec, String... options) throws InterruptedException {
    List<String> command = new ArrayList<>(List.of(npm.toString(), "install", "--prefix", target.toString(),
        "--save-exact", "--no-audit", "--no-fund", "--no-update-notifier"));
    command.addAll(List.of(options));
    command.add(packageSpec);
    Result result = run(command, target, environment, progress, timeout);
    if (result.exitCode() != 0) {
      throw new RuntimeInstallException(what + " failed: " + result.reason() + "\n" + String.join("\n",
          result.errorLines()), null);
    }
  }

  /** The environment for npm and for the installed Node; {@code nodeBin} goes first on the PATH when given. */
  Map<String, String> environment(Path nodeBin) {
    Map<String, String> environment = new LinkedHashMap<>();
    for (String name : PASSED_THROUGH) {
      String value = hostEnvironment.get(name);
      if (value != null) {
        environment.put(name, value);
      }
    }
    hostEnvironment.forEach((name, value) -> {
      if (name.startsWith("npm_config_") || name.startsWith("NPM_CONFIG_")) {
        environment.put(name, value);
      }
    });
    String path = hostEnvironment.getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin");
    environment.put("PATH", nodeBin == null ? path : nodeBin + File.pathSeparator + path);
    // Nothing that runs during the install may update itself or report home
    environment.put("OPENCLAW_NO_AUTO_UPDATE", "1");
    environment.put("DO_NOT_TRACK", "1");
    environment.put("npm_config_update_notifier", "false");
    return environment;
  }

  private static String packageVersion(Path packageJson) {
    try {
      return JSON.readTree(packageJson.toFile()).path("version").asString("?");
    } catch (RuntimeException e) {
      return "? (" + packageJson.getFileName() + " unreadable)";
    }
  }

  /** How a command ended, with its last lines of output. */
  record Result(int exitCode, List<String> lines, boolean timedOut) {

    /** npm's own error lines ({@code npm error …}, or {@code npm ERR! …} before npm 10), else the last lines. */
    List<String> errorLines() {
      List<String> errors = lines.stream()
          .filter(line -> line.startsWith("npm error") || line.startsWith("npm ERR!"))
          .filter(line -> !line.contains("A complete log of this run"))
          .toList();
      List<String> chosen = errors.isEmpty() ? lines : errors;
      return chosen.subList(Math.max(0, chosen.size() - 15), chosen.size());
    }

    /** The cause in words an operator can act on, from npm's error code where it gave one. */
    String reason() {
      if (timedOut) {
        return "npm did not finish in time";
      }
      String code = lines.stream().map(NPM_ERROR_CODE::matcher).filter(Matcher::find).map(m -> m.group(1))
          .findFirst().orElse("");
      String cause = switch (code) {
        case "ENOTFOUND", "EAI_AGAIN", "ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "ENETUNREACH", "EHOSTUNREACH" ->
            "the npm registry is unreachable";
        case "ENOSPC" -> "the disk is full";
        case "E404", "ETARGET" -> "no such package version on the npm registry";
        case "EACCES", "EPERM" -> "permission denied";
        case "EBADENGINE" -> "the Node version does not fit";
        default -> lines.stream().anyMatch(line -> line.contains("ENOSPC")) ? "the disk is full" : "npm failed";
      };
      return cause + " (exit code " + exitCode + (code.isEmpty() ? "" : ", " + code) + ")";
    }
  }

  /**
   * Runs a command, passing each output line (stdout and stderr merged) to {@code output}; kills it and everything
   * it started when {@code timeout} passes or the calling thread is interrupted.
   */
  static Result run(List<String> command, Path directory, Map<String, String> environment, Consumer<String> output,
      Duration timeout) throws InterruptedException {
    ProcessBuilder builder = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true);
    builder.environment().clear();
    builder.environment().putAll(environment);
    Process process;
    try {
      process = builder.start();
    } catch (IOException e) {
      throw new RuntimeInstallException("could not run " + command.getFirst() + ": " + e.getMessage(), e);
    }
    Deque<String> last = new ArrayDeque<>();
    Thread reader = Thread.ofVirtual().name("install-output").start(() -> {
      try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(),
          StandardCharsets.UTF_8))) {
        for (String line; (line = lines.readLine()) != null; ) {
          if (line.isBlank()) {
            continue;
          }
          synchronized (last) {
            last.addLast(line);
            if (last.size() > 200) {
              last.removeFirst();
            }
          }
          output.accept(line);
        }
      } catch (IOException e) {
        // the process was killed: its output ends here
      }
    });
    boolean finished = false;
    try {
      finished = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } finally {
      if (!finished) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
      }
    }
    reader.join(Duration.ofSeconds(5));
    synchronized (last) {
      return new Result(finished ? process.exitValue() : -1, new ArrayList<>(last), !finished);
    }
  }
}
