-- Optional two-factor login (TOTP, RFC 6238). The shared secret is sealed in the secret store (a platform secret:
-- users belong to no one tenant); users.totp_secret is its reference. totp_last_step is the time step of the last
-- code accepted, so a code cannot be used twice. Recovery codes are kept as their SHA-256 (random, high entropy),
-- each usable once.
alter table users add column totp_secret uuid;
alter table users add column totp_last_step bigint;

create table recovery_codes (
  user_id    uuid        not null references users (id) on delete cascade,
  code_hash  varchar(64) not null,
  created_at timestamp with time zone not null,
  used_at    timestamp with time zone,
  primary key (user_id, code_hash)
);
