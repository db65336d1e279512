-- Slack channels are 'pending' again: Reef relays Slack for the agent, but OpenClaw 2026.9's Slack plugin cannot
-- open its Socket Mode connection behind a proxy (ChannelService.SLACK_PENDING). Discord's stay connected.
update agent_channels set status = 'pending', status_reason = 'Reef keeps the tokens and relays Slack for the agent, '
  || 'but OpenClaw 2026.9''s Slack plugin cannot open its Socket Mode connection behind a proxy (a known OpenClaw '
  || 'problem), so messages do not reach the agent yet' where type = 'SLACK' and status = 'connected';
