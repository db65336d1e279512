-- Row-level security for invitations (see V1_1 for the scheme). Accepting looks an invitation up by its token
-- before the tenant is known: that lookup is platform work.
alter table invitations enable row level security;
alter table invitations force row level security;
create policy tenant_isolation on invitations
  using (current_setting('reef.scope', true) = 'platform'
         or tenant_id = nullif(current_setting('reef.tenant_id', true), '')::uuid);
