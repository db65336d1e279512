-- snapshot: the tenant's counters now. Returns {'seed', month, now} when the month has no counters yet, else
-- {'ok', month, spent, reserved, tokens, reservedTokens, inFlight, requestsThisMinute, tokensThisMinute, now}
local now = now_ms()
local mkey, month = seeded_month(now)
if not mkey then return { 'seed', month, int(now) } end
purge(now)
local m = redis.call('HMGET', mkey, 'spent', 'reserved', 'tokens', 'reservedTokens')
local w = redis.call('HMGET', window_key(int(now - (now % 60000))), 'requests', 'tokens')
return { 'ok', month, int(num(m[1])), int(num(m[2])), int(num(m[3])), int(num(m[4])),
         int(redis.call('ZCARD', leases)), int(num(w[1])), int(num(w[2])), int(now) }
