-- charge: add the usage of a call admitted unmetered (fail open) while Redis was unreachable, exactly once: the
-- reservation's id is remembered with the finished ones, so a charge applied twice (its reply was lost) counts once.
-- The month's seed leaves such calls out (it counts metered calls only), so every one counts through its charge.
-- Returns 1 when charged, 0 when it had been already, -1 when the month has no counters yet: seed it, then charge.
-- KEYS[1] the month key. ARGV: 3 reservation id, 4 micros, 5 tokens, 6 monthTtlMs
local mkey = KEYS[1]
local id = ARGV[3]
local now = now_ms()
if redis.call('ZSCORE', finished, id) then return 0 end
if redis.call('HEXISTS', mkey, 'seeded') == 0 then return -1 end
redis.call('HINCRBY', mkey, 'spent', ARGV[4])
redis.call('HINCRBY', mkey, 'tokens', ARGV[5])
redis.call('PEXPIRE', mkey, ARGV[6])
mark_finished(id, now)
return 1
