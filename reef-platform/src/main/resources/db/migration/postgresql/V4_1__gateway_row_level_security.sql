-- Row-level security for the tenant-owned gateway table (see V1_1 for the scheme).
alter table tenant_provider_keys enable row level security;
alter table tenant_provider_keys force row level security;
create policy tenant_isolation on tenant_provider_keys
  using (current_setting('reef.scope', true) = 'platform'
         or tenant_id = nullif(current_setting('reef.tenant_id', true), '')::uuid);
