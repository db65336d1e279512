package dev.reef.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Listens on a Unix socket and forwards every connection to a TCP address: stands in for Reef's LLM door in tests
 * that run a compute driver without the rest of Reef, so a sandboxed agent's model calls reach a mock provider.
 */
public final class UnixForwarder implements AutoCloseable {

  private final Path socket;
  private final ServerSocketChannel server;

  public UnixForwarder(Path socket, String host, int port) {
    this.socket = socket;
    try {
      Files.deleteIfExists(socket);
      server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
      server.bind(UnixDomainSocketAddress.of(socket));
      Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-rw-rw-"));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot listen on " + socket, e);
    }
    Thread.ofVirtual().name("unix-forwarder").start(() -> {
      while (server.isOpen()) {
        try {
          SocketChannel client = server.accept();
          Thread.ofVirtual().start(() -> forward(client, host, port));
        } catch (IOException e) {
          return; // closed
        }
      }
    });
  }

  private static void forward(SocketChannel client, String host, int port) {
    try (client; Socket upstream = new Socket()) {
      upstream.connect(new InetSocketAddress(host, port), 5000);
      InputStream fromClient = Channels.newInputStream(client);
      OutputStream toClient = Channels.newOutputStream(client);
      Thread back = Thread.ofVirtual().start(() -> copy(uncheckedStream(upstream), toClient));
      copy(fromClient, upstream.getOutputStream());
      upstream.shutdownOutput();
      back.join();
    } catch (IOException | InterruptedException e) {
      // one connection failed; the others go on
    }
  }

  private static InputStream uncheckedStream(Socket socket) {
    try {
      return socket.getInputStream();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void copy(InputStream in, OutputStream out) {
    try {
      in.transferTo(out);
      out.flush();
    } catch (IOException e) {
      // the other side hung up
    }
  }

  public Path socket() {
    return socket;
  }

  @Override
  public void close() {
    try {
      server.close();
      Files.deleteIfExists(socket);
    } catch (IOException e) {
      // closing anyway
    }
  }
}
