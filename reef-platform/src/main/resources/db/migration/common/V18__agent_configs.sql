-- Agents' configuration, versioned: each change is a row (the whole configuration as JSON, who, when, which fields
-- changed); the current configuration is the highest version. Version 0 (no row) is Reef's defaults.
create table agent_configs (
  tenant_id   uuid         not null references tenants (id) on delete cascade,
  agent_id    uuid         not null,
  version     integer      not null,
  config      varchar(1000000) not null,
  changed     varchar(2000) not null,
  created_by  varchar(300) not null,
  created_at  timestamp with time zone not null,
  primary key (agent_id, version)
);
create index agent_configs_tenant on agent_configs (tenant_id, agent_id);
