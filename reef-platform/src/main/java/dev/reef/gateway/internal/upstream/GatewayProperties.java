package dev.reef.gateway.internal.upstream;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The proxy's settings ({@code REEF_GATEWAY_*}).
 *
 * @param connectTimeout to open a connection to a provider
 * @param readTimeout the longest the provider may stay silent: waiting for the first byte of its answer (for an
 *     answer that is not streamed, that is the whole generation), and between bytes of a stream
 * @param totalTimeout the longest a call may take from its arrival to its last byte, every retry and fallback included
 * @param retries extra attempts on the same provider, only before any byte reached the client, and never after a
 *     timeout (a provider that hung once is not asked to hang again)
 * @param queueTimeout how long a call may wait for a free slot of its provider's capacity
 * @param defaultMaxTokens the output reserved for a request that sets no maximum
 * @param maxBodyBytes largest request body accepted on /v1
 * @param catalogFile a YAML or JSON file of providers, models and plan access applied at start-up (GitOps)
 */
@ConfigurationProperties("reef.gateway")
public record GatewayProperties(
    Duration connectTimeout,
    Duration readTimeout,
    Duration totalTimeout,
    int retries,
    Duration queueTimeout,
    long defaultMaxTokens,
    long maxBodyBytes,
    String catalogFile) {

  public GatewayProperties {
    connectTimeout = connectTimeout == null ? Duration.ofSeconds(5) : connectTimeout;
    readTimeout = readTimeout == null ? Duration.ofSeconds(120) : readTimeout;
    totalTimeout = totalTimeout == null ? Duration.ofMinutes(10) : totalTimeout;
    retries = Math.max(0, retries);
    queueTimeout = queueTimeout == null ? Duration.ofSeconds(30) : queueTimeout;
    defaultMaxTokens = defaultMaxTokens <= 0 ? 4096 : defaultMaxTokens;
    maxBodyBytes = maxBodyBytes <= 0 ? 32L * 1024 * 1024 : maxBodyBytes;
  }
}
