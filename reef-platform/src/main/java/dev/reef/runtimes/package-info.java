/**
 * Agent runtimes ({@link dev.reef.orchestration.AgentRuntime} implementations): how to install one (once per
 * version, into a shared cache) and how to configure and launch it for one tenant's agent. OpenClaw first.
 */
@org.springframework.modulith.ApplicationModule(displayName = "Runtimes")
package dev.reef.runtimes;
