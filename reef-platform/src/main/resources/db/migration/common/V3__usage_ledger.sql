-- The durable usage ledger: one row per LLM request, written by each replica's journal flusher (see
-- docs/metering.md). request_id is the primary key so that a journal replayed after a crash never duplicates a row
-- (inserts use "on conflict do nothing"). Like audit_events, tenant_id has no foreign key: the ledger is a billing
-- record and outlives a deleted tenant. started_day is the UTC date of started_at, stored so grouping by day needs
-- no time zone arithmetic in SQL (which H2 and PostgreSQL do differently).

create table usage_records (
  request_id           uuid         primary key,
  tenant_id            uuid         not null,
  agent_id             varchar(255),
  api_key_id           uuid,
  endpoint             varchar(255),
  model                varchar(255),
  provider             varchar(255),
  input_tokens         bigint       not null,
  output_tokens        bigint       not null,
  cached_input_tokens  bigint       not null,
  cost_micros          bigint       not null,
  latency_millis       bigint       not null,
  status               varchar(32),
  http_status          integer      not null,
  byok                 boolean      not null,
  metered              boolean      not null,
  started_at           timestamp with time zone not null,
  finished_at          timestamp with time zone,
  started_day          date         not null
);

-- Every read is one tenant over a time range: the usage API, and seeding a month's meter counters.
create index usage_records_tenant_time on usage_records (tenant_id, started_at);
