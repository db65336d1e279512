-- Chat channels an agent is reachable on (Telegram, Slack, Discord): at most one of each type per agent. The
-- channel's credentials are in the secret store (sealed with the tenant's data key); this row holds only their
-- reference. hook_id is the channel's public name in the webhook URL Reef registers (Telegram), so an inbound update
-- finds its channel without a tenant; webhook_secret_hash is the SHA-256 of the secret the channel echoes back.
create table agent_channels (
  tenant_id            uuid          not null references tenants (id) on delete cascade,
  agent_id             uuid          not null,
  type                 varchar(16)   not null,
  hook_id              uuid          not null,
  webhook_secret_hash  varchar(64),
  credentials          uuid          not null,
  bot_id               varchar(64),
  bot_name             varchar(200),
  dm_policy            varchar(16)   not null,
  allow_from           varchar(4000) not null,
  status               varchar(16)   not null,
  status_reason        varchar(1000),
  last_message_at      timestamp with time zone,
  connected_at         timestamp with time zone not null,
  updated_at           timestamp with time zone not null,
  primary key (tenant_id, agent_id, type)
);
create unique index agent_channels_hook on agent_channels (hook_id);

-- What a channel sent for an agent, kept until the agent has taken it: accepted even while the agent sleeps, handed
-- to it in update_id order, and marked delivered when the agent acknowledges it (Telegram's getUpdates offset). A
-- delivered row stays a while as a tombstone, so an update the channel sends twice is still taken once.
create table channel_updates (
  tenant_id     uuid          not null references tenants (id) on delete cascade,
  hook_id       uuid          not null,
  update_id     bigint        not null,
  payload       varchar(1000000) not null,
  received_at   timestamp with time zone not null,
  delivered_at  timestamp with time zone,
  primary key (hook_id, update_id)
);
create index channel_updates_tenant on channel_updates (tenant_id, hook_id);
