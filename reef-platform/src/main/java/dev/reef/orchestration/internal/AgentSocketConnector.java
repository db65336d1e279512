package dev.reef.orchestration.internal;

import dev.reef.orchestration.AgentSockets;
import dev.reef.orchestration.Placement;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.util.Objects;
import org.springframework.stereotype.Component;

/**
 * Raw connections to agents, with {@link AgentHttp}'s rule: a Unix socket is used only when the process on the
 * other end runs as the agent's uid ({@code SO_PEERCRED} of this very connection).
 */
@Component
class AgentSocketConnector implements AgentSockets {

  private static final String UNIX = "unix:";

  @Override
  public SocketChannel open(Placement placement) throws IOException {
    String address = placement.address();
    if (address.startsWith(UNIX)) {
      long uid = Long.parseLong(Objects.requireNonNull(placement.attributes().get(Placement.PEER_UID),
          "a placement on a Unix socket names the uid listening on it"));
      SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
      try {
        java.nio.file.Path socket = java.nio.file.Path.of(address.substring(UNIX.length()));
        channel.connect(UnixDomainSocketAddress.of(socket));
        AgentHttp.requirePeer(channel, socket, uid); // this very connection, not an earlier one
        return channel;
      } catch (IOException | RuntimeException e) {
        channel.close();
        throw e;
      }
    }
    URI uri = URI.create(address);
    SocketChannel channel = SocketChannel.open();
    try {
      channel.socket().connect(new InetSocketAddress(uri.getHost(), uri.getPort()), 5_000);
      return channel;
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
  }
}
