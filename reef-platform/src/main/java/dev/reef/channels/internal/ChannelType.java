package dev.reef.channels.internal;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** The channels Reef connects, by their name in the API and in the database. */
enum ChannelType {
  TELEGRAM("telegram"),
  SLACK("slack"),
  DISCORD("discord");

  private final String apiName;

  ChannelType(String apiName) {
    this.apiName = apiName;
  }

  String apiName() {
    return apiName;
  }

  static Optional<ChannelType> of(String apiName) {
    return Arrays.stream(values()).filter(t -> t.apiName.equals(apiName)).findFirst();
  }

  static List<String> names() {
    return Arrays.stream(values()).map(ChannelType::apiName).toList();
  }
}
