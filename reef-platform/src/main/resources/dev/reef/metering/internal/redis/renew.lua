-- keepAlive: extend a live reservation's lease. Returns 1, or 0 when it is gone (expired, settled or released).
-- ARGV: 3 id, 4 leaseMs
local now = now_ms()
local id = ARGV[3]
if not live_hold(id, now) then return 0 end
local lease_ms = tonumber(ARGV[4])
redis.call('ZADD', leases, 'XX', int(now + lease_ms), id)
touch(lease_ms)
return 1
