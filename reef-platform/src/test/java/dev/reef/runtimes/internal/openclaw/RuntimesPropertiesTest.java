package dev.reef.runtimes.internal.openclaw;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class RuntimesPropertiesTest {

  private static final Path HOME = Path.of(System.getProperty("user.home"));

  @Test
  void defaults_areTheUsersCacheAndThePinnedVersion() {
    RuntimesProperties properties = new RuntimesProperties(null, null);
    assertThat(properties.cache()).isEqualTo(HOME.resolve(".cache/reef/runtimes"));
    assertThat(properties.openclaw().version()).isEqualTo("2026.9.6");
    assertThat(new RuntimesProperties(null, new RuntimesProperties.OpenClaw(" ")).openclaw().version())
        .isEqualTo("2026.9.6");
  }

  @Test
  void cache_expandsALeadingTildeOnly() {
    assertThat(new RuntimesProperties(Path.of("~/runtimes"), null).cache()).isEqualTo(HOME.resolve("runtimes"));
    assertThat(new RuntimesProperties(Path.of("~"), null).cache()).isEqualTo(HOME);
    assertThat(new RuntimesProperties(Path.of("/srv/reef/~/x"), null).cache()).isEqualTo(Path.of("/srv/reef/~/x"));
    assertThat(new RuntimesProperties(Path.of("/srv/reef/runtimes"), new RuntimesProperties.OpenClaw("2026.10.1"))
        .openclaw().version()).isEqualTo("2026.10.1");
  }
}
