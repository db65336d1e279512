-- An agent stopped by the idle timer was 'stopped' with a reason starting 'idle:'; it is now its own stored state,
-- 'idle' (the API still says state "stopped" with idle: true), and the reason loses the prefix.
update agents set state = 'idle', state_reason = trim(substring(state_reason, 6))
  where state = 'stopped' and state_reason like 'idle:%';
update agent_events set state = 'idle', reason = trim(substring(reason, 6))
  where state = 'stopped' and reason like 'idle:%';
