package dev.reef.orchestration.internal.process;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * What Linux's {@code /proc} says about processes. A process is named by its id <em>and</em> its start time: an id
 * alone may by now belong to another program, because ids are reused; the start time, with the boot it was
 * measured in, is what tells them apart.
 */
final class ProcessTable {

  private final Path proc;
  private final long ticksPerSecond;
  private final long pageSize;
  private final long bootEpochSecond;
  private final String bootId;

  /** The machine's {@code /proc}. */
  static ProcessTable system() {
    return new ProcessTable(Path.of("/proc"), systemConstant("CLK_TCK", 100), systemConstant("PAGESIZE", 4096));
  }

  ProcessTable(Path proc, long ticksPerSecond, long pageSize) {
    this.proc = proc;
    this.ticksPerSecond = ticksPerSecond;
    this.pageSize = pageSize;
    try {
      this.bootEpochSecond = Files.readAllLines(proc.resolve("stat")).stream()
          .filter(l -> l.startsWith("btime "))
          .mapToLong(l -> Long.parseLong(l.substring(6).trim()))
          .findFirst().orElseThrow(() -> new IllegalStateException("no btime in " + proc.resolve("stat")));
      this.bootId = Files.readString(proc.resolve("sys/kernel/random/boot_id")).trim();
    } catch (IOException e) {
      throw new UncheckedIOException("The process driver needs Linux's /proc, and cannot read " + proc, e);
    }
  }

  /** Changes at every boot of the machine: a (pid, start time) pair from another boot names nothing. */
  String bootId() {
    return bootId;
  }

  Optional<ProcStat> stat(long pid) {
    try {
      return Optional.of(ProcStat.parse(Files.readString(proc.resolve(Long.toString(pid)).resolve("stat"),
          StandardCharsets.UTF_8)));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      // the process ended while its file was being read ("No such process")
      return Optional.empty();
    }
  }

  /** The process {@code pid} if it still runs and is the one that started at {@code startTicks}. */
  Optional<ProcStat> running(long pid, long startTicks) {
    return stat(pid).filter(s -> s.alive() && s.startTicks() == startTicks);
  }

  /** Every live process, read one by one (processes come and go meanwhile; those that went are left out). */
  List<ProcStat> all() {
    List<ProcStat> all = new ArrayList<>();
    try (Stream<Path> entries = Files.list(proc)) {
      entries.map(p -> p.getFileName().toString())
          .filter(name -> !name.isEmpty() && name.chars().allMatch(Character::isDigit))
          .forEach(name -> stat(Long.parseLong(name)).filter(ProcStat::alive).ifPresent(all::add));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + proc, e);
    }
    return all;
  }

  /** The live members of a process group. */
  List<ProcStat> group(long processGroup) {
    return all().stream().filter(s -> s.processGroup() == processGroup).toList();
  }

  /** Resident memory of these processes together, those still running. */
  long residentBytes(Collection<Long> pids) {
    long pages = 0;
    for (long pid : pids) {
      pages += stat(pid).filter(ProcStat::alive).map(ProcStat::rssPages).orElse(0L);
    }
    return pages * pageSize;
  }

  Instant startInstant(long startTicks) {
    long millis = startTicks * 1000 / ticksPerSecond;
    return Instant.ofEpochSecond(bootEpochSecond).plusMillis(millis);
  }

  /** {@code getconf NAME}, asked once at start-up; the usual Linux value if that fails. */
  private static long systemConstant(String name, long usual) {
    try {
      Process getconf = new ProcessBuilder("getconf", name).redirectErrorStream(true).start();
      String out = new String(getconf.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
      if (getconf.waitFor(5, TimeUnit.SECONDS) && getconf.exitValue() == 0) {
        return Long.parseLong(out);
      }
    } catch (IOException | NumberFormatException e) {
      // fall through to the usual value
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return usual;
  }
}
