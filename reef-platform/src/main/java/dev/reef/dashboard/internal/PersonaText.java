package dev.reef.dashboard.internal;

import com.github.difflib.DiffUtils;
import com.github.difflib.UnifiedDiffUtils;
import java.util.Arrays;
import java.util.List;
import org.commonmark.parser.Parser;
import org.commonmark.renderer.html.HtmlRenderer;

/**
 * Persona files as the settings page shows them: Markdown rendered for a preview (CommonMark; the tenant's raw
 * HTML is escaped and link targets sanitised, so a persona cannot script the page), and what a version changed in
 * a file, as a unified diff.
 */
final class PersonaText {

  private static final Parser PARSER = Parser.builder().build();
  private static final HtmlRenderer HTML = HtmlRenderer.builder().escapeHtml(true).sanitizeUrls(true).build();

  private PersonaText() {}

  static String preview(String markdown) {
    return HTML.render(PARSER.parse(markdown == null ? "" : markdown));
  }

  /** One line of a diff, with how to show it: {@code add}, {@code remove}, {@code hunk} or {@code same}. */
  record DiffLine(String kind, String text) {}

  /** The unified diff from {@code before} to {@code after} of one file; empty when they are the same. */
  static List<DiffLine> diff(String file, String before, String after) {
    List<String> a = lines(before);
    List<String> b = lines(after);
    List<String> unified = UnifiedDiffUtils.generateUnifiedDiff("before/" + file, "after/" + file, a,
        DiffUtils.diff(a, b), 2);
    return unified.stream().skip(2) // the file header lines: the page says which file
        .map(line -> new DiffLine(line.startsWith("@@") ? "hunk" : line.startsWith("+") ? "add"
            : line.startsWith("-") ? "remove" : "same", line)).toList();
  }

  private static List<String> lines(String text) {
    return text == null || text.isEmpty() ? List.of() : Arrays.asList(text.split("\n", -1));
  }
}
