-- An agent stopped by the idle timer was 'stopped' with a reason starting 'idle:'; it is now its own stored state,
-- 'idle' (the API still says state "stopped" with idle: true). Reasons are kept as they were written.
update agents set state = 'idle' where state = 'stopped' and state_reason like 'idle:%';
update agent_events set state = 'idle' where state = 'stopped' and reason like 'idle:%';
