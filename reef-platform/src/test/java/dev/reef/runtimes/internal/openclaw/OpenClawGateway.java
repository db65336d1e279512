package dev.reef.runtimes.internal.openclaw;

import dev.reef.orchestration.AgentSockets;
import dev.reef.orchestration.Placement;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Tests' way to do to a real OpenClaw agent what its owner would do from OpenClaw's own tools: here, add an
 * automation ({@code cron.add}) over the gateway RPC Reef uses to read them.
 */
public final class OpenClawGateway {

  private OpenClawGateway() {}

  /** Adds the job; answers the gateway's description of it. */
  public static String addJob(AgentSockets sockets, Placement placement, String gatewayToken,
      Map<String, Object> job) throws IOException {
    try (GatewayRpc rpc = GatewayRpc.open(sockets.open(placement), gatewayToken,
        List.of("operator.read", "operator.write", "operator.admin"), Duration.ofSeconds(30))) {
      return rpc.call("cron.add", job).toString();
    }
  }

  /** Calls a read-only gateway method, e.g. {@code channels.status}; answers its result. */
  public static tools.jackson.databind.JsonNode read(AgentSockets sockets, Placement placement, String gatewayToken,
      String method, Map<String, Object> params) throws IOException {
    try (GatewayRpc rpc = GatewayRpc.open(sockets.open(placement), gatewayToken, List.of("operator.read"),
        Duration.ofSeconds(30))) {
      return rpc.call(method, params);
    }
  }
}
