package dev.reef.platform.internal;

import java.time.Clock;
import javax.sql.DataSource;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.transaction.PlatformTransactionManager;

/** Background loops (catalog refresh, reconcilers, flushers) run on Spring's scheduler. */
@Configuration(proxyBeanMethods = false)
@EnableScheduling
class PlatformConfiguration {

  @Bean
  PlatformTransactionManager transactionManager(DataSource dataSource) {
    return new ScopedTransactionManager(dataSource);
  }

  /** The one source of time; tests replace it to move time without sleeping. */
  @Bean
  Clock clock() {
    return Clock.systemUTC();
  }
}
