-- Which Reef replica recorded each state change: with several replicas, the operator's answer to "which one
-- restarted this agent?" (kept out of the tenant API: replica names are host or pod names).
alter table agent_events add column replica varchar(100);
