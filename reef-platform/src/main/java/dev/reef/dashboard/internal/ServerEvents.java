package dev.reef.dashboard.internal;

import java.io.IOException;
import org.springframework.http.MediaType;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/** Sending server-sent events to a browser that may leave at any moment. */
final class ServerEvents {

  private ServerEvents() {}

  /** Sends one event; false when the browser has gone (the caller stops producing). */
  static boolean send(SseEmitter emitter, String name, Object data) {
    try {
      SseEmitter.SseEventBuilder event = SseEmitter.event().name(name);
      emitter.send(data instanceof String text ? event.data(text) : event.data(data, MediaType.APPLICATION_JSON));
      return true;
    } catch (IOException | IllegalStateException e) {
      return false;
    }
  }

  /**
   * Closes what feeds a stream (a log follower) exactly once, whichever comes first: the stream completing, timing
   * out or failing, or a send finding the browser gone.
   */
  static final class OnClose implements Runnable {
    private AutoCloseable held;
    private boolean closed;

    OnClose(SseEmitter emitter) {
      emitter.onCompletion(this);
      emitter.onTimeout(this);
      emitter.onError(e -> run());
    }

    void hold(AutoCloseable resource) {
      boolean already;
      synchronized (this) {
        already = closed;
        held = resource;
      }
      if (already) {
        run();
      }
    }

    @Override
    public void run() {
      AutoCloseable resource;
      synchronized (this) {
        closed = true;
        resource = held;
        held = null;
      }
      if (resource != null) {
        try {
          resource.close();
        } catch (Exception ignored) {
          // already closed
        }
      }
    }
  }
}
