-- charge: add the usage of a call admitted fail-open while Redis was unreachable. Skipped (returns 0) when the
-- month's counters were seeded from the ledger after that call settled: the seed read its ledger record already,
-- or the month has no counters yet and its seed will. Returns 1 when charged.
-- KEYS[1] the month key. ARGV: 3 micros, 4 tokens, 5 monthTtlMs, 6 settled at (epoch ms)
local mkey = KEYS[1]
local seeded_at = redis.call('HGET', mkey, 'seeded')
if not seeded_at or tonumber(seeded_at) > tonumber(ARGV[6]) then return 0 end
redis.call('HINCRBY', mkey, 'spent', ARGV[3])
redis.call('HINCRBY', mkey, 'tokens', ARGV[4])
redis.call('PEXPIRE', mkey, ARGV[5])
return 1
