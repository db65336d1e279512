-- Row-level security for agent_schedules (see V1_1 for the scheme).
alter table agent_schedules enable row level security;
alter table agent_schedules force row level security;
create policy tenant_isolation on agent_schedules
  using (current_setting('reef.scope', true) = 'platform'
         or tenant_id = nullif(current_setting('reef.tenant_id', true), '')::uuid);
