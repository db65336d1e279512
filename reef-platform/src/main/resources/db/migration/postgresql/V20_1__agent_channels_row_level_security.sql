-- Row-level security for agent_channels and channel_updates (see V1_1 for the scheme).
alter table agent_channels enable row level security;
alter table agent_channels force row level security;
create policy tenant_isolation on agent_channels
  using (current_setting('reef.scope', true) = 'platform'
         or tenant_id = nullif(current_setting('reef.tenant_id', true), '')::uuid);

alter table channel_updates enable row level security;
alter table channel_updates force row level security;
create policy tenant_isolation on channel_updates
  using (current_setting('reef.scope', true) = 'platform'
         or tenant_id = nullif(current_setting('reef.tenant_id', true), '')::uuid);
