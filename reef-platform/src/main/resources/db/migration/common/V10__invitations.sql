-- Invitations: adding a member creates one; the invitee accepts it with the single-use token (logged in as the
-- invited address, or creating the account through it). The token is stored as its SHA-256 (256 random bits, so
-- a slow hash adds nothing), like API keys.
create table invitations (
  id           uuid         primary key,
  tenant_id    uuid         not null references tenants (id) on delete cascade,
  email        varchar(254) not null,
  role         varchar(16)  not null,
  token_hash   varchar(64)  not null unique,
  invited_by   varchar(300) not null,
  created_at   timestamp with time zone not null,
  expires_at   timestamp with time zone not null,
  accepted_at  timestamp with time zone,
  accepted_by  uuid references users (id) on delete set null,
  revoked_at   timestamp with time zone
);
create index invitations_tenant on invitations (tenant_id, created_at);
