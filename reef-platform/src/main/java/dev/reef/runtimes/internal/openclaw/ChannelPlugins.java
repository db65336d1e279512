package dev.reef.runtimes.internal.openclaw;

import dev.reef.orchestration.AgentChannel;
import dev.reef.orchestration.Launch;
import dev.reef.orchestration.RuntimeInstallException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;
import tools.jackson.databind.json.JsonMapper;

/**
 * OpenClaw's chat channels that ship as plugin packages of their own ({@code @openclaw/slack},
 * {@code @openclaw/discord}, released with OpenClaw under the same version), installed once per version from the
 * npm registry next to OpenClaw's installs, and shown to an agent that has the channel connected.
 *
 * <p>Design note. OpenClaw hands a channel's ingress only to a <em>trusted</em> plugin: one installed from the
 * official npm package, as its install record says. A plugin loaded from a path ({@code plugins.load.paths}) is
 * refused. OpenClaw records an install it finds in its managed npm root itself: a project directory
 * {@code <state>/npm/projects/<name>} whose {@code package.json} depends on the package, with the package in its
 * {@code node_modules}. So the agent is shown, read-only at that place, the project Reef installed (see
 * {@link Launch.SharedDirectory}), with the package's peer link to {@code openclaw} made to point at the OpenClaw it
 * runs, as {@code openclaw plugins install} links it. Nothing of the agent's writable state is trusted for this:
 * an agent can only break its own channel.
 */
final class ChannelPlugins {

  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final Map<String, InstallCache> caches;

  /**
   * @param root where the plugins' installs go (one directory per plugin, one per version in it)
   * @param openclawHome where a version of OpenClaw is installed (its Node runs npm)
   */
  ChannelPlugins(Path root, OpenClawInstaller installer, Function<String, Path> openclawHome, Clock clock) {
    this.caches = Map.of(
        "slack", new InstallCache("openclaw-slack", root.resolve("openclaw-slack"),
            new Installer("slack", installer, openclawHome), clock),
        "discord", new InstallCache("openclaw-discord", root.resolve("openclaw-discord"),
            new Installer("discord", installer, openclawHome), clock));
  }

  /** The plugin id of the channels that need one: {@code slack}, {@code discord}; Telegram is built in. */
  static Optional<String> pluginOf(AgentChannel channel) {
    return switch (channel) {
      case AgentChannel.Slack s -> Optional.of("slack");
      case AgentChannel.Discord d -> Optional.of("discord");
      case AgentChannel.Telegram t -> Optional.empty();
    };
  }

  /**
   * The plugin {@code id} at OpenClaw's {@code version}, installed now unless it is, as the directory the agent
   * must see at {@code npm/projects/openclaw-<id>} of its state.
   */
  Launch.SharedDirectory forAgent(String id, String version, Path openclawHome, Consumer<String> progress) {
    InstallCache cache = caches.get(id);
    if (cache == null) {
      throw new IllegalArgumentException("no OpenClaw plugin package for the channel " + id);
    }
    Path project = cache.install(version, progress);
    return new Launch.SharedDirectory(project, "npm/projects/openclaw-" + id,
        Map.of(packageDir(id) + "/node_modules/openclaw", openclawHome.resolve("node_modules/openclaw")));
  }

  private static String packageDir(String id) {
    return "node_modules/@openclaw/" + id;
  }

  /** Installs {@code @openclaw/<id>@<version>} and checks it is that package at that version. */
  private record Installer(String id, OpenClawInstaller installer, Function<String, Path> openclawHome)
      implements InstallCache.Installer {

    @Override
    public void install(String version, Path target, Consumer<String> progress) throws InterruptedException {
      Path home = openclawHome.apply(version);
      if (!Files.isDirectory(home)) {
        throw new RuntimeInstallException("openclaw " + version + " must be installed before its " + id
            + " plugin", null);
      }
      installer.installPlugin("@openclaw/" + id + "@" + version, target, home, progress);
    }

    @Override
    public String verify(String version, Path target) {
      Path manifest = target.resolve(packageDir(id)).resolve("package.json");
      if (!Files.isRegularFile(manifest) || !Files.isRegularFile(target.resolve(packageDir(id))
          .resolve("openclaw.plugin.json"))) {
        throw new RuntimeInstallException("@openclaw/" + id + " " + version + " is incomplete: " + packageDir(id)
            + " has no package.json or openclaw.plugin.json", null);
      }
      String installed = JSON.readTree(manifest.toFile()).path("version").asString("?");
      if (!version.equals(installed)) {
        throw new RuntimeInstallException("npm installed @openclaw/" + id + " " + installed + " instead of "
            + version, null);
      }
      if (!Files.isRegularFile(target.resolve("package.json"))) {
        throw new RuntimeInstallException("@openclaw/" + id + " " + version + " has no project package.json, "
            + "which OpenClaw reads to know the plugin is installed", null);
      }
      return "@openclaw/" + id + " " + installed;
    }
  }
}
