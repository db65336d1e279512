package dev.reef.orchestration.internal.process;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/**
 * The process driver's settings ({@code REEF_PROCESS_*}).
 *
 * @param logMaxSize an agent's {@code agent.log} is rotated once it reaches this size
 * @param logFiles how many rotated copies ({@code agent.log.1} ...) are kept
 * @param cgroups whether to enforce memory and CPU limits with control groups where the machine allows
 * @param cgroupParent the group that holds one group per agent: {@code ./name} under Reef's own group (the default,
 *     {@code ./reef-agents}), or {@code name} at the top of each hierarchy
 */
@ConfigurationProperties("reef.compute.process")
record ProcessDriverProperties(DataSize logMaxSize, int logFiles, Boolean cgroups, String cgroupParent) {

  ProcessDriverProperties {
    logMaxSize = logMaxSize == null || logMaxSize.toBytes() <= 0 ? DataSize.ofMegabytes(10) : logMaxSize;
    logFiles = logFiles <= 0 ? 3 : logFiles;
    cgroups = cgroups == null || cgroups;
    cgroupParent = cgroupParent == null || cgroupParent.isBlank() ? "./reef-agents" : cgroupParent.trim();
    if (cgroupParent.startsWith("/") || cgroupParent.contains("..")) {
      throw new IllegalArgumentException("REEF_PROCESS_CGROUP_PARENT must be a relative group name such as 'reef', "
          + "not '" + cgroupParent + "'");
    }
  }
}
