-- seed: give a month its starting counters from the durable ledger, exactly once however many replicas race to do
-- it (the 'seeded' flag is set with HSETNX; a loser's totals are dropped). The flag holds when (Redis's clock, epoch
-- ms): a settle queued before then, whose hold Redis lost, was counted by the seed. The totals are of metered calls
-- only: unmetered ones count through their charges. Returns 1 if this call seeded.
-- KEYS[1] the month key. ARGV: 3 spent micros, 4 tokens, 5 monthTtlMs
local mkey = KEYS[1]
local seeded = redis.call('HSETNX', mkey, 'seeded', int(now_ms()))
if seeded == 1 then
  redis.call('HINCRBY', mkey, 'spent', ARGV[3])
  redis.call('HINCRBY', mkey, 'tokens', ARGV[4])
end
redis.call('PEXPIRE', mkey, ARGV[5])
return seeded
