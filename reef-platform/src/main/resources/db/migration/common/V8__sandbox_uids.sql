-- The Unix uid each tenant's sandboxed agents run as (the process driver, when Reef runs as root). Allocated at a
-- tenant's first deploy from REEF_SANDBOX_UID_BASE upwards and never reused: files an earlier tenant's agent left
-- with its uid must never become another tenant's.
create table sandbox_uids (
  tenant_id     uuid        primary key,
  uid           bigint      not null unique,
  allocated_at  timestamp with time zone not null
);
