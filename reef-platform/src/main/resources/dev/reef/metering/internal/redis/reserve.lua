-- reserve: check every cap and, only if all pass, hold the estimate. Returns
--   {'ok', month, minute, now} | {'refused', kind, now} | {'seed', month, now} (seed the month, then call again)
--   | {'late', now}: the caller's deadline had passed (it has given up waiting: a frozen Redis ran this late), so
--     nothing is held
-- ARGV: 3 id, 4 micros, 5 tokens, 6 countsAgainstBudget (1/0), 7 budget, 8 monthlyTokens, 9 requestsPerMinute,
--       10 tokensPerMinute, 11 maxConcurrent (a negative cap is unlimited), 12 leaseMs, 13 monthTtlMs,
--       14 owner (the replica holding it), 15 deadline on Redis's clock (epoch ms; negative: none)
local now = now_ms()
local deadline = tonumber(ARGV[15])
if deadline >= 0 and now > deadline then return { 'late', int(now) } end
local id = ARGV[3]
if redis.call('ZSCORE', finished, id) then return { 'late', int(now) } end -- released already, as having timed out
local mkey, month = seeded_month(now)
if not mkey then return { 'seed', month, int(now) } end
purge(now)

local micros = tonumber(ARGV[4])
local tokens = tonumber(ARGV[5])
local counts = ARGV[6] == '1'
local function exceeds(would_be, argv)
  local cap = tonumber(ARGV[argv])
  return cap >= 0 and would_be > cap
end

-- Same order as CapCheck.firstExceeded.
local m = redis.call('HMGET', mkey, 'spent', 'reserved', 'tokens', 'reservedTokens')
local minute = now - (now % 60000)
local wkey = window_key(int(minute))
local w = redis.call('HMGET', wkey, 'requests', 'tokens')
local refused
if counts and exceeds(num(m[1]) + num(m[2]) + micros, 7) then
  refused = 'MONTHLY_BUDGET'
elseif exceeds(num(m[3]) + num(m[4]) + tokens, 8) then
  refused = 'MONTHLY_TOKENS'
elseif exceeds(num(w[1]) + 1, 9) then
  refused = 'REQUESTS_PER_MINUTE'
elseif exceeds(num(w[2]) + tokens, 10) then
  refused = 'TOKENS_PER_MINUTE'
elseif exceeds(redis.call('ZCARD', leases) + 1, 11) then
  refused = 'CONCURRENCY'
end
if refused then
  return { 'refused', refused, int(now) }
end

local held = counts and micros or 0
local lease_ms = tonumber(ARGV[12])
redis.call('HINCRBY', mkey, 'reserved', int(held))
redis.call('HINCRBY', mkey, 'reservedTokens', int(tokens))
redis.call('PEXPIRE', mkey, ARGV[13])
redis.call('HINCRBY', wkey, 'requests', 1)
redis.call('HINCRBY', wkey, 'tokens', int(tokens))
redis.call('PEXPIRE', wkey, WINDOW_TTL_MS)
redis.call('ZADD', leases, int(now + lease_ms), id)
redis.call('HSET', holds, id, month .. '|' .. int(minute) .. '|' .. int(held) .. '|' .. int(tokens) .. '|'
  .. (counts and '1' or '0') .. '|' .. ARGV[14])
touch(lease_ms)
return { 'ok', month, int(minute), int(now) }
