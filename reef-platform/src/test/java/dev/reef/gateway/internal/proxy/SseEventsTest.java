package dev.reef.gateway.internal.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SseEventsTest {

  @Test
  void next_splitsEventsKeepingExactBytes() throws Exception {
    String text = "event: message_start\r\ndata: {\"a\":1}\r\n\r\ndata: line1\ndata: line2\n\ndata: [DONE]\n\n";
    SseEvents events = new SseEvents(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)));
    SseEvents.Event first = events.next();
    assertThat(first.name()).isEqualTo("message_start");
    assertThat(first.data()).isEqualTo("{\"a\":1}");
    assertThat(new String(first.raw(), StandardCharsets.UTF_8)).isEqualTo("event: message_start\r\ndata: {\"a\":1}\r\n\r\n");
    assertThat(events.next().data()).isEqualTo("line1\nline2");
    assertThat(events.next().data()).isEqualTo("[DONE]");
    assertThat(events.next()).isNull();
  }

  @Test
  void next_trailingEventWithoutBlankLine_isStillReturned() throws Exception {
    SseEvents events = new SseEvents(new ByteArrayInputStream("data: tail".getBytes(StandardCharsets.UTF_8)));
    assertThat(events.next().data()).isEqualTo("tail");
    assertThat(events.next()).isNull();
  }
}
