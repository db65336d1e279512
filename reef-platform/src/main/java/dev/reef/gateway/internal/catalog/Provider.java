package dev.reef.gateway.internal.catalog;

import dev.reef.gateway.ProviderType;
import dev.reef.secrets.SecretRef;
import java.time.Instant;

/**
 * An upstream LLM service. {@code baseUrl} is as the provider documents it: {@code https://api.openai.com/v1} for
 * OpenAI-compatible servers, {@code https://api.anthropic.com} for Anthropic.
 *
 * @param maxConcurrency how many calls Reef runs against this provider at once, shared fairly between tenants
 */
public record Provider(
    String name,
    ProviderType type,
    String baseUrl,
    SecretRef apiKey,
    String apiKeyHint,
    int maxConcurrency,
    Instant createdAt,
    Instant updatedAt) {}
