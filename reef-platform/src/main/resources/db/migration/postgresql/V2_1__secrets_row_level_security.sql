-- Row-level security for secrets, the same policy as every tenant-owned table (V1_1__row_level_security.sql).
-- Platform secrets (tenant_id null) never equal a tenant id, so they are visible in platform scope only.

alter table secrets enable row level security;
alter table secrets force row level security;
create policy tenant_isolation on secrets
  using (current_setting('reef.scope', true) = 'platform'
         or tenant_id = nullif(current_setting('reef.tenant_id', true), '')::uuid);
