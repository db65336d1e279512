-- Password reset links sent by email: single use, expiring; only a hash of the token is kept.
create table password_resets (
  id          uuid         primary key,
  user_id     uuid         not null references users (id) on delete cascade,
  token_hash  varchar(64)  not null,
  expires_at  timestamp with time zone not null,
  used_at     timestamp with time zone,
  created_at  timestamp with time zone not null
);
create unique index password_resets_token on password_resets (token_hash);
