-- Row-level security for runtime rollouts (see V1_1 for the scheme). Rollouts and defaults are the operator's
-- (read and written in platform scope only); a tenant's pin is its own.
alter table runtime_pins enable row level security;
alter table runtime_pins force row level security;
create policy tenant_isolation on runtime_pins
  using (current_setting('reef.scope', true) = 'platform'
         or tenant_id = nullif(current_setting('reef.tenant_id', true), '')::uuid);

alter table runtime_rollout_agents enable row level security;
alter table runtime_rollout_agents force row level security;
create policy platform_only on runtime_rollout_agents
  using (current_setting('reef.scope', true) = 'platform');

alter table runtime_rollouts enable row level security;
alter table runtime_rollouts force row level security;
create policy platform_only on runtime_rollouts
  using (current_setting('reef.scope', true) = 'platform');

alter table runtime_defaults enable row level security;
alter table runtime_defaults force row level security;
create policy platform_only on runtime_defaults
  using (current_setting('reef.scope', true) = 'platform');
