package dev.reef.orchestration;

import java.io.IOException;
import java.nio.channels.SocketChannel;

/**
 * A raw connection to an agent's own address (a TCP address, or the Unix socket of a sandboxed agent, checked to be
 * served by the agent's uid), for a runtime that speaks more than HTTP to its agents (OpenClaw's gateway RPC over a
 * WebSocket). Implemented by orchestration, handed to runtimes.
 */
public interface AgentSockets {

  /** A connected, blocking channel to the agent; the caller closes it. */
  SocketChannel open(Placement placement) throws IOException;
}
