-- Which configuration version an agent's current start used, and the last one it became ready with: a start that
-- fails on a newer version than the last good one rolls the configuration back to it (AgentConfigRollback).
alter table agents add column config_started integer;
alter table agents add column config_good integer;
