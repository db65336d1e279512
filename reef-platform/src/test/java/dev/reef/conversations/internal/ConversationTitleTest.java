package dev.reef.conversations.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ConversationTitleTest {

  @Test
  void aShortMessage_isItsOwnTitle_withWhitespaceFolded() {
    assertThat(ConversationService.title("  Plan the\n\ttrip  ")).isEqualTo("Plan the trip");
  }

  @Test
  void aLongMessage_isCutAtAWord() {
    String title = ConversationService.title("Please summarise the meeting notes from Tuesday and list every "
        + "action item with its owner");
    assertThat(title).isEqualTo("Please summarise the meeting notes from Tuesday and list…");
    assertThat(title.length()).isLessThanOrEqualTo(61);
  }

  @Test
  void aLongWord_isCutWhereItMustBe() {
    assertThat(ConversationService.title("x".repeat(100))).isEqualTo("x".repeat(60) + "…");
  }
}
