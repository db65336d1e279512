-- settle: replace a live reservation's hold with the usage it really had. Returns 1, or 0 when the reservation is
-- unknown (already settled or released, or expired): a second settle changes nothing.
-- ARGV: 3 id, 4 actual micros, 5 actual tokens, 6 monthTtlMs
local now = now_ms()
local id = ARGV[3]
local hold = live_hold(id, now)
if not hold then return 0 end
local micros = tonumber(ARGV[4])
local tokens = tonumber(ARGV[5])
drop_hold(id, hold)
local mkey = month_key(hold.month)
if redis.call('HEXISTS', mkey, 'seeded') == 1 then
  if hold.counts then redis.call('HINCRBY', mkey, 'spent', int(micros)) end
  redis.call('HINCRBY', mkey, 'tokens', int(tokens))
  redis.call('PEXPIRE', mkey, ARGV[6])
end
correct_window(hold, tokens)
return 1
