package dev.reef.platform;

import org.springframework.web.servlet.support.ServletUriComponentsBuilder;

/** Links Reef hands out (to be opened elsewhere, later): on {@code REEF_PUBLIC_URL} when set, else on this request's. */
public final class PublicUrls {

  private PublicUrls() {}

  /** {@code path} starts with a slash and may carry a query. */
  public static String absolute(ReefProperties properties, String path) {
    String base = properties.publicUrl() == null || properties.publicUrl().isBlank()
        ? ServletUriComponentsBuilder.fromCurrentContextPath().build().toUriString()
        : properties.publicUrl().replaceAll("/+$", "");
    return base + path;
  }
}
