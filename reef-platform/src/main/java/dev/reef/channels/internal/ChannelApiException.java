package dev.reef.channels.internal;

/**
 * A chat app's API said no ({@code status} its error code, e.g. 401 for a token it does not know) or could not be
 * reached ({@code status} 0). The message is the service's own description, never a URL or a token.
 */
final class ChannelApiException extends Exception {

  private final int status;

  ChannelApiException(int status, String message) {
    super(message);
    this.status = status;
  }

  int status() {
    return status;
  }

  boolean unreachable() {
    return status == 0;
  }
}
