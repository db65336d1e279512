-- A password someone else chose or Reef generated (the first operator's, printed once) must be replaced by its
-- owner at the first login: every dashboard page leads to the account page until it is.
alter table users add column must_change_password boolean not null default false;
