/**
 * Agents: their desired and actual state, the reconciler that drives one toward the other (restarts with backoff,
 * idle stop, wake on demand), health, logs and chat. Where an agent runs is a
 * {@link dev.reef.orchestration.ComputeDriver}'s business: the process driver here, Kubernetes in its own module.
 */
@org.springframework.modulith.ApplicationModule(displayName = "Orchestration")
package dev.reef.orchestration;
