package dev.reef.metering.internal;

import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.type.AnnotatedTypeMetadata;

/** Matches the configuration of the meter {@link MeterType#resolve} picks (Boot's {@code CacheCondition} pattern). */
abstract class MeterTypeCondition extends SpringBootCondition {

  private final MeterType type;

  MeterTypeCondition(MeterType type) {
    this.type = type;
  }

  @Override
  public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
    MeterType chosen = MeterType.resolve(context.getEnvironment()::getProperty);
    String message = "usage meter " + chosen.value() + " chosen from REEF_METER / REEF_REDIS_URL";
    return chosen == type ? ConditionOutcome.match(message) : ConditionOutcome.noMatch(message);
  }

  static final class InProcess extends MeterTypeCondition {
    InProcess() {
      super(MeterType.IN_PROCESS);
    }
  }

  static final class Redis extends MeterTypeCondition {
    Redis() {
      super(MeterType.REDIS);
    }
  }
}
