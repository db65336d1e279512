-- Chat conversations: each one a person keeps with an agent from the dashboard, kept so a reload, another device or
-- next week resumes it. The agent's side of the thread (its context) is OpenClaw's session named after the
-- conversation; Reef keeps what was said, so the list and transcript show even while the agent sleeps.
create table conversations (
  id               uuid         primary key,
  tenant_id        uuid         not null references tenants (id) on delete cascade,
  agent_id         uuid         not null,
  user_id          uuid         not null references users (id) on delete cascade,
  title            varchar(200) not null,
  created_at       timestamp with time zone not null,
  last_message_at  timestamp with time zone not null
);
create index conversations_person on conversations (tenant_id, agent_id, user_id, last_message_at);

-- One message each: the person's (role user), the agent's reply (role agent) or why there was none (role error).
-- A reply's cost is what the agent's model calls cost between the message and the end of its reply, read from the
-- usage ledger; it is stored once the ledger has surely caught up (settled_at), and computed until then.
create table conversation_messages (
  conversation_id  uuid         not null references conversations (id) on delete cascade,
  seq              integer      not null,
  tenant_id        uuid         not null references tenants (id) on delete cascade,
  role             varchar(16)  not null,
  content          varchar(1000000) not null,
  started_at       timestamp with time zone not null,
  finished_at      timestamp with time zone not null,
  model_calls      bigint,
  cost_micros      bigint,
  primary key (conversation_id, seq)
);
