/**
 * The LLM proxy every agent and API client calls: OpenAI- and Anthropic-compatible endpoints under {@code /v1},
 * the operator's catalog of providers, models and prices, tenants' own provider keys (BYOK), routing with
 * fallbacks, circuit breakers and fair sharing of each provider's capacity, and exact usage extraction for
 * metering.
 */
@org.springframework.modulith.ApplicationModule(displayName = "Gateway")
package dev.reef.gateway;
