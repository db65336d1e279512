-- Runtime versions moved centrally: the operator rolls a runtime version out to agents in batches (a canary first),
-- checks each batch's health and rolls a failed batch back; tenants whose plan allows it may hold their agents on a
-- version for a while.

-- A move the reconciler carries out at the agent's next idle moment: switch to move_to_version (a running agent is
-- restarted on it once nothing is in flight; a stopped one simply starts on it next time). move_note says why
-- ("rollout 1a2b3c4d", "rollback of rollout 1a2b3c4d") and goes in the agent's events.
alter table agents add column move_to_version varchar(32);
alter table agents add column move_note varchar(200);

-- The version new agents of a runtime get, once a rollout to every tenant has completed (no row: the configured one).
create table runtime_defaults (
  runtime     varchar(32) primary key,
  version     varchar(32) not null,
  rollout_id  uuid,
  updated_at  timestamp with time zone not null
);

create table runtime_rollouts (
  id              uuid          primary key,
  runtime         varchar(32)   not null,
  target_version  varchar(32)   not null,
  scope_tenants   varchar(8000),            -- comma-separated tenant ids; null: every tenant
  canary_percent  integer,                  -- the first batch: this share of the agents ...
  canary_tenants  varchar(8000),            -- ... or these tenants' agents
  batch_size      integer       not null,
  pause_seconds   integer       not null,   -- between a healthy batch and the next
  state           varchar(16)   not null,   -- running | paused | completed | failed | cancelled
  active_runtime  varchar(32),              -- = runtime while running or paused, else null: at most one active per runtime
  reason          varchar(1000) not null,
  current_batch   integer       not null default -1, -- -1: agents not yet chosen
  batch_count     integer       not null default 0,
  next_batch_at   timestamp with time zone,
  started_by      varchar(200)  not null,
  lease_owner     varchar(64),
  lease_until     timestamp with time zone,
  created_at      timestamp with time zone not null,
  updated_at      timestamp with time zone not null
);
create index runtime_rollouts_state on runtime_rollouts (state);
create unique index runtime_rollouts_one_active on runtime_rollouts (active_runtime);

-- Every agent a rollout covers, with the batch it moves in and how its move went.
create table runtime_rollout_agents (
  rollout_id    uuid          not null references runtime_rollouts (id) on delete cascade,
  agent_id      uuid          not null,
  tenant_id     uuid          not null,
  batch         integer       not null,
  from_version  varchar(32)   not null,
  state         varchar(16)   not null,   -- waiting | moving | healthy | moved | failed | rolled_back | held | gone
  reason        varchar(500),
  updated_at    timestamp with time zone not null,
  primary key (rollout_id, agent_id)
);
create index runtime_rollout_agents_agent on runtime_rollout_agents (agent_id);

-- A tenant holding its agents on a version (rollouts pass them by) until pinned_until, as long as its plan allows.
create table runtime_pins (
  tenant_id     uuid          not null references tenants (id) on delete cascade,
  runtime       varchar(32)   not null,
  version       varchar(32)   not null,
  pinned_until  timestamp with time zone not null,
  created_at    timestamp with time zone not null,
  primary key (tenant_id, runtime)
);
