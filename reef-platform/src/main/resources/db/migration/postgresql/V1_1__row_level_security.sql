-- Row-level security: the second wall behind the application's own tenant_id filters.
-- The application sets reef.scope ('tenant' | 'platform') and reef.tenant_id at the start of every transaction
-- (ScopedTransactionManager). A row is visible only to its own tenant, or in platform scope; with nothing set,
-- nothing is visible. FORCE applies the policies to the table owner too. Superusers and roles with BYPASSRLS skip
-- all of this, so Reef must connect as an ordinary role (README: "PostgreSQL").

alter table tenants enable row level security;
alter table tenants force row level security;
create policy tenant_isolation on tenants
  using (current_setting('reef.scope', true) = 'platform'
         or id = nullif(current_setting('reef.tenant_id', true), '')::uuid);

alter table tenant_limit_overrides enable row level security;
alter table tenant_limit_overrides force row level security;
create policy tenant_isolation on tenant_limit_overrides
  using (current_setting('reef.scope', true) = 'platform'
         or tenant_id = nullif(current_setting('reef.tenant_id', true), '')::uuid);

alter table memberships enable row level security;
alter table memberships force row level security;
create policy tenant_isolation on memberships
  using (current_setting('reef.scope', true) = 'platform'
         or tenant_id = nullif(current_setting('reef.tenant_id', true), '')::uuid);

alter table tenant_api_keys enable row level security;
alter table tenant_api_keys force row level security;
create policy tenant_isolation on tenant_api_keys
  using (current_setting('reef.scope', true) = 'platform'
         or tenant_id = nullif(current_setting('reef.tenant_id', true), '')::uuid);

alter table audit_events enable row level security;
alter table audit_events force row level security;
create policy tenant_isolation on audit_events
  using (current_setting('reef.scope', true) = 'platform'
         or tenant_id = nullif(current_setting('reef.tenant_id', true), '')::uuid);
