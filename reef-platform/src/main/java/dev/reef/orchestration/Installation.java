package dev.reef.orchestration;

import java.nio.file.Path;

/** An installed runtime version. {@code home} is null where the runtime comes in an image instead. */
public record Installation(String runtime, String version, Path home) {}
