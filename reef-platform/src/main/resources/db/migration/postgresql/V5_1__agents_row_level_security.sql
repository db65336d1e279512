-- Row-level security for agents (see V1_1 for the scheme).
alter table agents enable row level security;
alter table agents force row level security;
create policy tenant_isolation on agents
  using (current_setting('reef.scope', true) = 'platform'
         or tenant_id = nullif(current_setting('reef.tenant_id', true), '')::uuid);

alter table agent_events enable row level security;
alter table agent_events force row level security;
create policy tenant_isolation on agent_events
  using (current_setting('reef.scope', true) = 'platform'
         or tenant_id = nullif(current_setting('reef.tenant_id', true), '')::uuid);

alter table agent_tokens enable row level security;
alter table agent_tokens force row level security;
create policy tenant_isolation on agent_tokens
  using (current_setting('reef.scope', true) = 'platform'
         or tenant_id = nullif(current_setting('reef.tenant_id', true), '')::uuid);
