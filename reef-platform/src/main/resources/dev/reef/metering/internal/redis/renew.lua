-- renew: extend the leases of a replica's live reservations of one tenant (the replica's heartbeat). A reservation
-- that is gone (expired, settled or released) is not revived. Returns how many were renewed.
-- ARGV: 3 leaseMs, 4... reservation ids
local now = now_ms()
purge(now)
local lease_ms = tonumber(ARGV[3])
local renewed = 0
for i = 4, #ARGV do
  if redis.call('HEXISTS', holds, ARGV[i]) == 1 then
    redis.call('ZADD', leases, 'XX', int(now + lease_ms), ARGV[i])
    renewed = renewed + 1
  end
end
if renewed > 0 then touch(lease_ms) end
return renewed
