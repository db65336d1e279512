-- The LLM proxy's catalog: upstream providers, the models Reef offers with their prices, which models each plan
-- allows, and tenants' own provider keys (BYOK). Keys themselves live encrypted in the secrets table.

create table providers (
  name           varchar(64)  primary key,
  type           varchar(16)  not null,          -- openai | anthropic
  base_url       varchar(500) not null,
  api_key_secret uuid,                           -- secrets.id; null for keyless upstreams (a local Ollama)
  api_key_hint   varchar(16),
  max_concurrency integer     not null,
  created_at     timestamp with time zone not null,
  updated_at     timestamp with time zone not null
);

-- Prices are USD per million tokens. fallbacks: comma-separated model ids tried in order when this one fails.
create table models (
  id                         varchar(128) primary key,
  provider                   varchar(64)  not null references providers (name),
  upstream_model             varchar(200) not null,
  input_usd_per_mtok         numeric(18, 6) not null,
  output_usd_per_mtok        numeric(18, 6) not null,
  cached_input_usd_per_mtok  numeric(18, 6) not null,
  fallbacks                  varchar(1000),
  created_at                 timestamp with time zone not null,
  updated_at                 timestamp with time zone not null
);

-- What a plan's tenants may do through the proxy. A plan without a row here: every model, BYOK not budgeted.
create table plan_llm_access (
  plan_id                     varchar(64) primary key references plans (id) on delete cascade,
  restrict_models             boolean     not null,
  byok_counts_against_budget  boolean     not null
);

-- With restrict_models, the only models the plan allows.
create table plan_models (
  plan_id   varchar(64)  not null references plans (id) on delete cascade,
  model_id  varchar(128) not null,
  primary key (plan_id, model_id)
);

create table tenant_provider_keys (
  tenant_id   uuid        not null references tenants (id) on delete cascade,
  provider    varchar(64) not null,
  secret_id   uuid        not null,
  key_hint    varchar(16) not null,
  created_at  timestamp with time zone not null,
  updated_at  timestamp with time zone not null,
  primary key (tenant_id, provider)
);
