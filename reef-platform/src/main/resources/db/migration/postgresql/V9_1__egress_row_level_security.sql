-- Row-level security for egress (see V1_1 for the scheme); plans' allowlists are the operator's, not a tenant's.
alter table tenant_egress enable row level security;
alter table tenant_egress force row level security;
create policy tenant_isolation on tenant_egress
  using (current_setting('reef.scope', true) = 'platform'
         or tenant_id = nullif(current_setting('reef.tenant_id', true), '')::uuid);

alter table egress_connections enable row level security;
alter table egress_connections force row level security;
create policy tenant_isolation on egress_connections
  using (current_setting('reef.scope', true) = 'platform'
         or tenant_id = nullif(current_setting('reef.tenant_id', true), '')::uuid);
