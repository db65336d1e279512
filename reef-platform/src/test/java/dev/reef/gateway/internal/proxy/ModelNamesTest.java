package dev.reef.gateway.internal.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ModelNamesTest {

  private static String rewrite(ModelNames names, String body) {
    return new String(names.rewrite(body.getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8);
  }

  @Test
  void rewritesTheModelMember_withOrWithoutASpace_everyTime_andNothingElse() {
    ModelNames names = ModelNames.of("gpt-4o-2024-08-06", "gpt", false);
    assertThat(rewrite(names, "{\"id\":\"x\",\"model\":\"gpt-4o-2024-08-06\",\"choices\":[]}"))
        .isEqualTo("{\"id\":\"x\",\"model\":\"gpt\",\"choices\":[]}");
    assertThat(rewrite(names, "{\"model\": \"gpt-4o-2024-08-06\"} {\"model\":\"gpt-4o-2024-08-06\"}"))
        .isEqualTo("{\"model\": \"gpt\"} {\"model\":\"gpt\"}");
    assertThat(rewrite(names, "{\"content\":\"I am gpt-4o-2024-08-06\",\"model\":\"gpt-4o\"}"))
        .as("the name in text, and another model, are left alone")
        .isEqualTo("{\"content\":\"I am gpt-4o-2024-08-06\",\"model\":\"gpt-4o\"}");
  }

  @Test
  void changesNothing_whenTheNamesAreTheSame_orTheOperatorKeepsTheProvidersName() {
    byte[] body = "{\"model\":\"m\"}".getBytes(StandardCharsets.UTF_8);
    assertThat(ModelNames.of("m", "m", false).rewrite(body)).isSameAs(body);
    assertThat(ModelNames.of("m", "reef-m", true).rewrite(body)).isSameAs(body);
    assertThat(ModelNames.of("other", "reef-m", false).rewrite(body)).isSameAs(body);
  }

  @Test
  void escapesTheRequestedIdAsJson() {
    assertThat(rewrite(ModelNames.of("up", "we\"ird", false), "{\"model\":\"up\"}"))
        .isEqualTo("{\"model\":\"we\\\"ird\"}");
  }
}
