package dev.reef.orchestration.internal.process;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * The command line that runs an agent inside a bubblewrap sandbox.
 *
 * <p>Design note. The agent gets fresh user, mount, PID, network, IPC, UTS and cgroup namespaces, no capabilities,
 * {@code no_new_privs}, and no way to make further user namespaces. Its filesystem is an empty root holding only:
 * the system's programs and libraries and a few files of {@code /etc} (read-only), its runtime's installation
 * (read-only), its own files at {@code /agent} and {@code /tmp}, a private {@code /proc} and {@code /dev}, and three
 * doors under {@code /run/reef}. Its network namespace has nothing but a loopback interface: the doors are Unix
 * sockets, bridged to TCP inside the sandbox by {@code socat} (the in-sandbox {@link #INIT} script):
 * <ul>
 *   <li>{@code 127.0.0.1:}{@link #LLM_PORT} inside → {@code /run/reef/reef/llm.sock} → Reef's LLM proxy;
 *   <li>{@code 127.0.0.1:}{@link #EGRESS_PORT} inside → {@code /run/reef/reef/egress.sock} → Reef's egress proxy,
 *       which knows the agent by the socket it came through;
 *   <li>Reef → {@code /run/reef/gateway/gateway.sock} → the agent's own port inside: only Reef (root) and this
 *       sandbox can open that directory, so nothing else can pose as the agent.
 * </ul>
 *
 * <p>When Reef runs as root each tenant's agents run as a uid of their own. Bubblewrap then runs as that uid
 * (through {@code setpriv}, which also clears supplementary groups and the capability bounding set), and as that
 * uid it cannot reach the agent's directories, which sit in Reef's private (0700) data directory. So a root shell
 * first makes a private mount namespace and binds everything the sandbox needs onto a small tmpfs moved over
 * {@code /tmp} ({@link #STAGE}); bubblewrap takes its sources from there. The staging exists only in that
 * namespace, which ends with the sandbox: nothing is mounted on the host.
 */
final class Bubblewrap {

  /** Where, inside the sandbox, the agent reaches Reef's LLM proxy and its egress proxy. */
  static final int LLM_PORT = 18080;
  static final int EGRESS_PORT = 18128;
  static final String AGENT_ROOT = "/agent";
  static final String GATEWAY_SOCKET = "gateway.sock";
  static final String LLM_SOCKET = "llm.sock";
  static final String EGRESS_SOCKET = "egress.sock";
  /** Written by {@link #INIT} inside the sandbox: its absence after an exit means the sandbox never came up. */
  static final String STARTED_MARKER = ".sandbox-started";
  /** Where Reef's LLM proxy sockets (one per Reef process) appear inside: {@code reef/llm.sock} links into it. */
  static final String LLM_DOOR = "/run/reef/llm-door";

  /** System directories that are made visible read-only (or as the symlinks they are, on a merged /usr). */
  private static final List<String> SYSTEM_DIRS = List.of("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64",
      "/libx32");
  /** What of /etc programs commonly need: certificates, the dynamic linker's cache, time zone, Java's settings. */
  private static final List<String> ETC_ENTRIES = List.of("ssl", "ca-certificates", "ca-certificates.conf",
      "pki", "alternatives", "ld.so.cache", "ld.so.conf", "ld.so.conf.d", "localtime", "timezone",
      "nsswitch.conf", "host.conf", "mime.types", "java-17-openjdk", "java-21-openjdk", "java-25-openjdk");

  /**
   * Runs as root in a fresh private mount namespace: mounts a small tmpfs on {@code $1}, binds each source given
   * (up to the {@code --}) onto it as {@code 1, 2, ...}, moves it over {@code /tmp}, and executes the rest.
   */
  static final String STAGE = """
      set -eu
      stage=$1; shift
      mount -t tmpfs -o mode=0755,size=64k,nosuid,nodev,noexec reef-stage "$stage"
      n=0
      while [ "$1" != "--" ]; do
        n=$((n + 1))
        if [ -d "$1" ]; then mkdir "$stage/$n"; else : > "$stage/$n"; fi
        mount --bind "$1" "$stage/$n"
        shift
      done
      shift
      mount --move "$stage" /tmp
      exec "$@"
      """;

  /**
   * Runs inside the sandbox as the agent: opens the three doors (errors of a bridge's single connection go to
   * /dev/null, not the agent's log: readiness probes hit the gateway door before the agent listens; {@code nodelay}:
   * a bridge that held back a short write until the last one was acknowledged would add the kernel's delayed-ACK
   * time, 40 ms, to an answer that comes in two writes), marks the
   * sandbox as started, and becomes the agent (without the variables a shell adds to the environment).
   */
  static final String INIT = """
      port=$1; shift
      socat TCP-LISTEN:%1$d,bind=127.0.0.1,reuseaddr,fork,nodelay UNIX-CONNECT:/run/reef/reef/%3$s 2>/dev/null &
      socat TCP-LISTEN:%2$d,bind=127.0.0.1,reuseaddr,fork,nodelay UNIX-CONNECT:/run/reef/reef/%4$s 2>/dev/null &
      socat UNIX-LISTEN:/run/reef/gateway/%5$s,unlink-early,mode=600,fork TCP:127.0.0.1:"$port",nodelay \
        2>/dev/null &
      : > /run/reef/gateway/%6$s
      unset PWD OLDPWD
      exec "$@"
      """.formatted(LLM_PORT, EGRESS_PORT, LLM_SOCKET, EGRESS_SOCKET, GATEWAY_SOCKET, STARTED_MARKER);

  /**
   * One sandboxed start, host paths throughout.
   *
   * @param files the agent's own files (state, workspace, home, tmp), owned by {@code uid}
   * @param gatewayDir where the gateway socket is made (owned by {@code uid})
   * @param reefDir Reef's doors for this agent ({@code llm.sock}, {@code egress.sock}), read-only inside
   * @param llmDoorDir the directory of Reef's LLM proxy sockets, read-only inside at {@link #LLM_DOOR}
   * @param etcDir the agent's {@code passwd}, {@code group} and {@code hosts}
   * @param stageDir an empty directory to stage the sources on (only used when switching uid)
   * @param uid the uid to run as, or empty to stay Reef's own (not root: nothing to switch)
   * @param stateMounts directories shown read-only inside the agent's state directory, by the path there (relative)
   */
  record Spec(Path files, Path gatewayDir, Path reefDir, Path llmDoorDir, Path etcDir, Path stageDir,
      RuntimeMounts readOnly, OptionalLong uid, int listenPort, List<String> command, Map<String, Path> stateMounts) {

    Spec {
      stateMounts = Map.copyOf(stateMounts);
    }
  }

  /** Where runtimes' installations appear inside sandboxes: never at their place on the host, which may say much. */
  static final String RUNTIMES = "/opt/reef";

  /**
   * A launch's read-only paths and where each appears inside the sandbox ({@code /opt/reef/<n>-<name>}), and the
   * launch's command and environment with every mention of a host path replaced by its place inside. Paths under
   * {@code /usr} are inside already, where they are.
   */
  record RuntimeMounts(Map<Path, String> inside) {

    static RuntimeMounts of(List<Path> readOnly) {
      Map<Path, String> inside = new LinkedHashMap<>();
      for (Path path : readOnly) {
        Path normal = path.toAbsolutePath().normalize();
        if (!normal.startsWith("/usr/") && !inside.containsKey(normal)) {
          String name = normal.getFileName() == null ? "root" : normal.getFileName().toString();
          inside.put(normal, RUNTIMES + "/" + (inside.size() + 1) + "-" + name);
        }
      }
      return new RuntimeMounts(Map.copyOf(inside));
    }

    /** {@code value} with each host path (followed by {@code /}, {@code :} or nothing) replaced by its place inside. */
    String translate(String value) {
      String result = value;
      for (Map.Entry<Path, String> mount : inside.entrySet()) {
        result = result.replaceAll(java.util.regex.Pattern.quote(mount.getKey().toString()) + "(?=/|:|$)",
            java.util.regex.Matcher.quoteReplacement(mount.getValue()));
      }
      return result;
    }

    List<String> translate(List<String> values) {
      return values.stream().map(this::translate).toList();
    }
  }

  private final Path bwrap;
  private final Path socat;
  private final Path setpriv;
  private final Path unshare;

  Bubblewrap(Path bwrap, Path socat, Path setpriv, Path unshare) {
    this.bwrap = bwrap;
    this.socat = socat;
    this.setpriv = setpriv;
    this.unshare = unshare;
  }

  /** The command line: staging and uid switch when {@code spec.uid()} is set, then bubblewrap, then the agent. */
  List<String> commandLine(Spec spec) {
    Sources sources = new Sources(spec.uid().isPresent());
    List<String> sandbox = new ArrayList<>(List.of(bwrap.toString(),
        "--unshare-user", "--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts", "--unshare-cgroup",
        "--disable-userns", "--assert-userns-disabled", "--die-with-parent", "--hostname", "agent"));
    spec.uid().ifPresent(uid -> sandbox.addAll(List.of("--uid", Long.toString(uid), "--gid", Long.toString(uid))));
    for (String dir : SYSTEM_DIRS) {
      Path path = Path.of(dir);
      if (Files.isSymbolicLink(path)) {
        sandbox.addAll(List.of("--symlink", readLink(path), dir));
      } else if (Files.isDirectory(path)) {
        sandbox.addAll(List.of("--ro-bind", dir, dir)); // readable by every user: no staging needed
      }
    }
    for (String entry : ETC_ENTRIES) {
      Path path = Path.of("/etc", entry);
      if (Files.exists(path)) {
        sandbox.addAll(List.of("--ro-bind", path.toString(), path.toString()));
      }
    }
    String etc = sources.of(spec.etcDir());
    for (String file : etcFiles(0).keySet()) {
      sandbox.addAll(List.of("--ro-bind", etc + "/" + file, "/etc/" + file));
    }
    spec.readOnly().inside().forEach((host, inside) ->
        sandbox.addAll(List.of("--ro-bind", sources.of(host), inside)));
    String files = sources.of(spec.files());
    sandbox.addAll(List.of(
        "--proc", "/proc", "--dev", "/dev",
        "--bind", files, AGENT_ROOT,
        "--bind", files + "/tmp", "/tmp"));
    // over the agent's own files, so after them; bubblewrap makes the mount points (as the agent, in its files)
    new java.util.TreeMap<>(spec.stateMounts()).forEach((at, host) ->
        sandbox.addAll(List.of("--ro-bind", sources.of(host), AGENT_ROOT + "/state/" + at)));
    sandbox.addAll(List.of(
        "--bind", sources.of(spec.gatewayDir()), "/run/reef/gateway",
        "--ro-bind", sources.of(spec.reefDir()), "/run/reef/reef",
        "--ro-bind", sources.of(spec.llmDoorDir()), LLM_DOOR,
        "--chdir", AGENT_ROOT + "/workspace",
        "--", "/bin/sh", "-c", INIT, "reef-sandbox", Integer.toString(spec.listenPort())));
    sandbox.addAll(spec.readOnly().translate(spec.command()));
    if (spec.uid().isEmpty()) {
      return sandbox;
    }
    long uid = spec.uid().getAsLong();
    List<String> line = new ArrayList<>(List.of(unshare.toString(), "--mount", "--propagation", "private", "--",
        "/bin/sh", "-c", STAGE, "reef-stage", spec.stageDir().toString()));
    line.addAll(sources.staged());
    line.add("--");
    line.addAll(List.of(setpriv.toString(), "--reuid=" + uid, "--regid=" + uid, "--clear-groups",
        "--no-new-privs", "--inh-caps=-all", "--bounding-set=-all", "--"));
    line.addAll(sandbox);
    return line;
  }

  Path socat() {
    return socat;
  }

  /** The files of the agent's own {@code /etc}: a user and group for its uid, and localhost. */
  static Map<String, String> etcFiles(long uid) {
    Map<String, String> files = new LinkedHashMap<>();
    files.put("passwd", "root:x:0:0:root:/nonexistent:/usr/sbin/nologin\n"
        + "agent:x:" + uid + ":" + uid + ":Reef agent:" + AGENT_ROOT + "/home:/bin/sh\n"
        + "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n");
    files.put("group", "root:x:0:\nagent:x:" + uid + ":\nnogroup:x:65534:\n");
    files.put("hosts", "127.0.0.1 localhost agent\n::1 localhost ip6-localhost ip6-loopback\n");
    return files;
  }

  private static String readLink(Path link) {
    try {
      return Files.readSymbolicLink(link).toString();
    } catch (IOException e) {
      throw new IllegalStateException("cannot read the symbolic link " + link, e);
    }
  }

  /**
   * Bubblewrap's source paths: the host's own when it runs as Reef's user, else the staged copy under
   * {@code /tmp/<n>} (in the order {@link #staged} lists them for {@link #STAGE}).
   */
  private static final class Sources {
    private final boolean staging;
    private final Map<Path, String> staged = new LinkedHashMap<>();

    Sources(boolean staging) {
      this.staging = staging;
    }

    String of(Path host) {
      if (!staging) {
        return host.toString();
      }
      return staged.computeIfAbsent(host, p -> "/tmp/" + (staged.size() + 1));
    }

    List<String> staged() {
      return staged.keySet().stream().map(Path::toString).toList();
    }
  }
}
