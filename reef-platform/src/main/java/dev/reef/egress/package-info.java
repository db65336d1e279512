/**
 * Egress: the one way out of an agent's sandbox. Each tenant's allowlist (the operator's override, else its plan's,
 * else nothing), the proxy that enforces it for every connection an agent opens, and the log of those connections
 * with the bytes they carried. Compute drivers reach it through {@link dev.reef.orchestration.AgentEgress}.
 */
@org.springframework.modulith.ApplicationModule(displayName = "Egress")
package dev.reef.egress;
