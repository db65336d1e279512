package dev.reef.orchestration.internal;

import dev.reef.orchestration.AgentSockets;
import dev.reef.orchestration.Placement;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.FileSystems;
import java.nio.file.attribute.UserPrincipal;
import java.util.Objects;
import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;
import org.springframework.stereotype.Component;

/**
 * Raw connections to agents, with the same rule as {@link AgentHttp}: a Unix socket is used only when the process
 * on the other end runs as the agent's uid ({@code SO_PEERCRED} of this very connection).
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
        channel.connect(UnixDomainSocketAddress.of(address.substring(UNIX.length())));
        UnixDomainPrincipal peer = channel.getOption(ExtendedSocketOptions.SO_PEERCRED);
        UserPrincipal expected = FileSystems.getDefault().getUserPrincipalLookupService()
            .lookupPrincipalByName(Long.toString(uid));
        if (!peer.user().equals(expected)) {
          throw new IOException("the process listening on the agent's socket runs as " + peer.user().getName()
              + ", not as the agent's uid " + uid + ": refusing to talk to it");
        }
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
