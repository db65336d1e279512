-- Row-level security for sandbox uids (see V1_1 for the scheme). Allocation reads across tenants, in platform scope.
alter table sandbox_uids enable row level security;
alter table sandbox_uids force row level security;
create policy tenant_isolation on sandbox_uids
  using (current_setting('reef.scope', true) = 'platform'
         or tenant_id = nullif(current_setting('reef.tenant_id', true), '')::uuid);
