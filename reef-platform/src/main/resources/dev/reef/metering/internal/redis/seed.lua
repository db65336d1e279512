-- seed: give a month its starting counters from the durable ledger, exactly once however many replicas race to do
-- it (the 'seeded' flag is set with HSETNX; a loser's totals are dropped). The flag holds when the ledger was read
-- (epoch ms), which the charge script uses to avoid counting a fail-open call twice. Returns 1 if this call seeded.
-- KEYS[1] the month key. ARGV: 3 spent micros, 4 tokens, 5 monthTtlMs, 6 ledger read at (epoch ms)
local mkey = KEYS[1]
local seeded = redis.call('HSETNX', mkey, 'seeded', ARGV[6])
if seeded == 1 then
  redis.call('HINCRBY', mkey, 'spent', ARGV[3])
  redis.call('HINCRBY', mkey, 'tokens', ARGV[4])
end
redis.call('PEXPIRE', mkey, ARGV[5])
return seeded
