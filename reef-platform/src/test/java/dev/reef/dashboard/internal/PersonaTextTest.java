package dev.reef.dashboard.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class PersonaTextTest {

  @Test
  void preview_rendersMarkdown() {
    assertThat(PersonaText.preview("# Captain\n\nKeeps the **log**.")).contains("<h1>Captain</h1>")
        .contains("<strong>log</strong>");
  }

  @Test
  void preview_escapesATenantsHtml_andDefusesScriptLinks() {
    String html = PersonaText.preview("<script>alert(1)</script>\n\n<img src=x onerror=alert(2)>\n\n"
        + "[click](javascript:alert(3))");
    assertThat(html).doesNotContain("<script").doesNotContain("<img").doesNotContain("javascript:")
        .contains("&lt;script&gt;");
  }

  @Test
  void diff_showsRemovedAndAddedLines_andNothingForTheSameText() {
    List<PersonaText.DiffLine> diff = PersonaText.diff("SOUL.md", "a\nkeeps the harbour log\nc",
        "a\nkeeps the ship's log\nc");
    assertThat(diff).extracting(PersonaText.DiffLine::kind).containsExactly("hunk", "same", "remove", "add", "same");
    assertThat(diff.get(2).text()).isEqualTo("-keeps the harbour log");
    assertThat(diff.get(3).text()).isEqualTo("+keeps the ship's log");
    assertThat(PersonaText.diff("SOUL.md", "same", "same")).isEmpty();
  }
}
