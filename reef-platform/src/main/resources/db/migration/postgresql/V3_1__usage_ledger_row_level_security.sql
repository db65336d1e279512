-- Row-level security for the usage ledger, the same policy as every tenant-owned table (V1_1): a row is visible
-- only to its own tenant, or in platform scope (the journal flusher inserts every tenant's rows in platform scope).

alter table usage_records enable row level security;
alter table usage_records force row level security;
create policy tenant_isolation on usage_records
  using (current_setting('reef.scope', true) = 'platform'
         or tenant_id = nullif(current_setting('reef.tenant_id', true), '')::uuid);
