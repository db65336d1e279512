-- The proxy answers with the model id the client asked for (Reef's), not the provider's name for it: clients that
-- check the model field of the answer otherwise break. An operator may keep the provider's name for a model.
alter table models add column answer_with_upstream_model boolean not null default false;
