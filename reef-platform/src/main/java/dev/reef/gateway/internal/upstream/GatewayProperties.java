package dev.reef.gateway.internal.upstream;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The proxy's settings ({@code REEF_GATEWAY_*}).
 *
 * @param connectTimeout to open a connection to a provider
 * @param readTimeout for the response headers, and the longest silence allowed inside a streamed body
 * @param retries extra attempts on the same provider, only before any byte reached the client
 * @param queueTimeout how long a call may wait for a free slot of its provider's capacity
 * @param defaultMaxTokens the output reserved for a request that sets no maximum
 * @param maxBodyBytes largest request body accepted on /v1
 * @param catalogFile a YAML or JSON file of providers, models and plan access applied at start-up (GitOps)
 */
@ConfigurationProperties("reef.gateway")
public record GatewayProperties(
    Duration connectTimeout,
    Duration readTimeout,
    int retries,
    Duration queueTimeout,
    long defaultMaxTokens,
    long maxBodyBytes,
    String catalogFile) {

  public GatewayProperties {
    connectTimeout = connectTimeout == null ? Duration.ofSeconds(5) : connectTimeout;
    readTimeout = readTimeout == null ? Duration.ofSeconds(120) : readTimeout;
    retries = Math.max(0, retries);
    queueTimeout = queueTimeout == null ? Duration.ofSeconds(30) : queueTimeout;
    defaultMaxTokens = defaultMaxTokens <= 0 ? 4096 : defaultMaxTokens;
    maxBodyBytes = maxBodyBytes <= 0 ? 32L * 1024 * 1024 : maxBodyBytes;
  }
}
