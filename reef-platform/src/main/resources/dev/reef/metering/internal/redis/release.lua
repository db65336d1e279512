-- release: drop a live reservation's hold (the call failed before producing anything). Returns 1, or 0 when there
-- was nothing to release. The request still counts in its minute's request count; its tokens do not.
-- ARGV: 3 id
local now = now_ms()
local id = ARGV[3]
local hold = live_hold(id, now)
mark_finished(id, now)
if not hold then return 0 end
drop_hold(id, hold)
correct_window(hold, 0)
return 1
