-- What each agent has scheduled for itself (OpenClaw's automations), as it last said: asked while it runs, and
-- right before the idle timer stops it, so Reef can wake it shortly before its next run. runs is a JSON array of
-- {name, at, kind}; next_wake_at the earliest run that wakes it; woken_for the run Reef last woke it for (once each),
-- woken_at when (so an agent that keeps announcing runs is woken at most once per REEF_SCHEDULE_MIN_WAKE_GAP).
create table agent_schedules (
  agent_id      uuid          primary key,
  tenant_id     uuid          not null references tenants (id) on delete cascade,
  runs          varchar(100000) not null,
  next_wake_at  timestamp with time zone,
  checked_at    timestamp with time zone not null,
  woken_for     timestamp with time zone,
  woken_at      timestamp with time zone
);
create index agent_schedules_wake on agent_schedules (next_wake_at);
create index agent_schedules_tenant on agent_schedules (tenant_id);
