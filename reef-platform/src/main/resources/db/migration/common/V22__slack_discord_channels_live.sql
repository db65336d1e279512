-- Slack and Discord channels were stored as 'pending' while Reef did not install OpenClaw's plugins for them; it
-- does now, so the ones already connected are live from their agent's next start.
update agent_channels set status = 'connected', status_reason = null where status = 'pending';
