-- Row-level security for conversations (see V1_1 for the scheme).
alter table conversations enable row level security;
alter table conversations force row level security;
create policy tenant_isolation on conversations
  using (current_setting('reef.scope', true) = 'platform'
         or tenant_id = nullif(current_setting('reef.tenant_id', true), '')::uuid);

alter table conversation_messages enable row level security;
alter table conversation_messages force row level security;
create policy tenant_isolation on conversation_messages
  using (current_setting('reef.scope', true) = 'platform'
         or tenant_id = nullif(current_setting('reef.tenant_id', true), '')::uuid);
