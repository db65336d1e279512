-- Secrets, encrypted at rest (envelope encryption, see docs/secrets.md). Runs on PostgreSQL and on H2
-- (PostgreSQL mode); on PostgreSQL the next migration adds row-level security.
--
-- Each row holds a ciphertext (AES-256-GCM under the row's own data key, with its nonce) and that data key wrapped
-- by a master key (AES-256-GCM, with its own nonce). key_version names the master key, derived from the key itself;
-- rotation rewrites only wrapped_key, key_nonce and key_version. The id, tenant and purpose are bound into both
-- ciphertexts as associated data, so a ciphertext copied to another row, tenant or purpose fails to decrypt.
--
-- tenant_id is null for platform secrets (the operator's provider keys): visible in platform scope only. A
-- tenant's secrets go with the tenant (unlike its audit log, nothing about them is worth keeping).
create table secrets (
  id           uuid         primary key,
  tenant_id    uuid         references tenants (id) on delete cascade,
  purpose      varchar(200) not null,
  key_version  varchar(16)  not null,
  wrapped_key  bytea        not null,
  key_nonce    bytea        not null,
  nonce        bytea        not null,
  ciphertext   bytea        not null,
  created_at   timestamp with time zone not null,
  updated_at   timestamp with time zone not null
);
create index secrets_tenant on secrets (tenant_id);
create index secrets_key_version on secrets (key_version);
