-- release_owned: drop every hold of one owner in one tenant: a replica restarted under the same id releases what
-- its earlier life held (that process is gone, and its calls with it), at once rather than when the leases run out.
-- Returns how many were released.
-- ARGV: 3 owner
local now = now_ms()
purge(now)
local owner = ARGV[3]
local entries = redis.call('HGETALL', holds)
local released = 0
for i = 1, #entries, 2 do
  local hold = parse_hold(entries[i + 1])
  if hold.owner == owner then
    drop_hold(entries[i], hold)
    correct_window(hold, 0)
    released = released + 1
  end
end
return released
