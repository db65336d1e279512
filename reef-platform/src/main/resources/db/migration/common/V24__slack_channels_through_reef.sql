-- Slack channels are live again: Reef now holds each app's Socket Mode connection itself and hands the messages to
-- the agent (OpenClaw's Slack relay mode), which steps around the OpenClaw problem V23 was about.
update agent_channels set status = 'connected', status_reason = null where type = 'SLACK' and status = 'pending';
