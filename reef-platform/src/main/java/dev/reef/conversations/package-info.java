/**
 * Conversations people keep with their agents in the dashboard: listed, resumed after a reload or on another
 * device, started anew, deleted, each with what its replies cost. Reef keeps what was said (so the transcript shows
 * while the agent sleeps); the agent keeps its own context in the OpenClaw session named after the conversation.
 */
@org.springframework.modulith.ApplicationModule(displayName = "Conversations")
package dev.reef.conversations;
