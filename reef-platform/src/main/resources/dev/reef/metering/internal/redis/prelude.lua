-- Shared by every meter script (the Java side prepends it). ARGV[1] is the tenant's key base "<prefix>{<tenant>}:"
-- and ARGV[2] a time shift in milliseconds (always 0 in production; tests move time forward with it instead of
-- sleeping). Every key a script touches starts with the base, so all of them share the {<tenant>} hash tag and the
-- Redis Cluster slot of the KEYS the script declares.
--
-- Keys of a tenant:
--   month:<yyyy-mm>   hash: seeded, spent, reserved (micro-dollars), tokens, reservedTokens
--   minute:<epochms>  hash: requests, tokens (the fixed one-minute rate window starting then)
--   leases            sorted set: reservation id -> lease expiry (epoch ms), renewed by the replica holding it
--   holds             hash: reservation id -> "month|minute|heldMicros|heldTokens|countsAgainstBudget|owner"
--   finished          sorted set: reservation id -> when it was settled or released (epoch ms), for an hour: a
--                     settle applied twice (its first reply was lost) or after its lease ran out counts exactly once
if redis.replicate_commands then pcall(redis.replicate_commands) end

local base = ARGV[1]
local shift = tonumber(ARGV[2])
local leases = base .. 'leases'
local holds = base .. 'holds'
local finished = base .. 'finished'
local WINDOW_TTL_MS = 120000
local FINISHED_KEEP_MS = 3600000


-- Lua numbers are doubles: format integers explicitly, or Redis would receive e.g. "1.5e+14".
local function int(x)
  return string.format('%d', x)
end

local function num(v)
  return tonumber(v) or 0
end

-- Redis's own clock, so every replica sees the same windows and leases whatever its own clock says.
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) + shift
end

-- The UTC calendar month of an epoch millisecond, as "yyyy-mm" (H. Hinnant's civil_from_days).
local function month_of(ms)
  local z = math.floor(ms / 86400000) + 719468
  local era = math.floor(z / 146097)
  local doe = z - era * 146097
  local yoe = math.floor((doe - math.floor(doe / 1460) + math.floor(doe / 36524) - math.floor(doe / 146096)) / 365)
  local doy = doe - (365 * yoe + math.floor(yoe / 4) - math.floor(yoe / 100))
  local mp = math.floor((5 * doy + 2) / 153)
  local m = mp < 10 and mp + 3 or mp - 9
  local y = yoe + era * 400
  if m <= 2 then y = y + 1 end
  return string.format('%04d-%02d', y, m)
end

local function month_key(month)
  return base .. 'month:' .. month
end

-- The current month's key, or nil (and the month) when its counters do not exist yet: the caller asks for seeding.
local function seeded_month(now)
  local month = month_of(now)
  local mkey = month_key(month)
  if redis.call('HEXISTS', mkey, 'seeded') == 0 then return nil, month end
  return mkey, month
end

local function window_key(minute)
  return base .. 'minute:' .. minute
end

-- Holds written before holds had an owner have five fields; their owner is unknown ('').
local function parse_hold(h)
  local month, minute, micros, tokens, counts, owner =
    string.match(h, '^([^|]+)|([^|]+)|([^|]+)|([^|]+)|([^|]+)|?([^|]*)$')
  return { month = month, minute = minute, micros = tonumber(micros), tokens = tonumber(tokens),
           counts = counts == '1', owner = owner or '' }
end

-- Removes a reservation and gives back what it held against its month.
local function drop_hold(id, hold)
  local mkey = month_key(hold.month)
  if redis.call('EXISTS', mkey) == 1 then
    redis.call('HINCRBY', mkey, 'reserved', int(-hold.micros))
    redis.call('HINCRBY', mkey, 'reservedTokens', int(-hold.tokens))
  end
  redis.call('HDEL', holds, id)
  redis.call('ZREM', leases, id)
end

-- Corrects the tokens a rate window counted for a reservation, if that window is still the live one.
local function correct_window(hold, used)
  local wkey = window_key(hold.minute)
  if redis.call('EXISTS', wkey) == 1 then
    if redis.call('HINCRBY', wkey, 'tokens', int(used - hold.tokens)) < 0 then
      redis.call('HSET', wkey, 'tokens', '0')
    end
  end
end

-- Every script starts here: reservations whose lease ran out (their holder died) give their capacity back.
local function purge(now)
  local expired = redis.call('ZRANGEBYSCORE', leases, '-inf', now, 'LIMIT', 0, 1000)
  for _, id in ipairs(expired) do
    local h = redis.call('HGET', holds, id)
    if h then
      drop_hold(id, parse_hold(h))
    else
      redis.call('ZREM', leases, id)
    end
  end
end

-- The live (unexpired) hold of a reservation, or nil.
local function live_hold(id, now)
  purge(now)
  local h = redis.call('HGET', holds, id)
  if h then return parse_hold(h) end
  return nil
end

local function touch(lease_ms)
  redis.call('PEXPIRE', leases, lease_ms + 60000)
  redis.call('PEXPIRE', holds, lease_ms + 60000)
end

-- Remembers that a reservation was settled or released, so nothing charges it again.
local function mark_finished(id, now)
  redis.call('ZADD', finished, int(now), id)
  redis.call('ZREMRANGEBYSCORE', finished, '-inf', int(now - FINISHED_KEEP_MS))
  redis.call('PEXPIRE', finished, FINISHED_KEEP_MS)
end
