-- settle: replace a reservation's hold with the usage it really had, exactly once. Returns 1 when it replaced a
-- live hold, 2 when the hold was gone (its lease ran out while Redis was unreachable, or its replica's restart
-- released it) and the usage was charged without it, 0 when it had been settled or released already (a retried settle).
-- ARGV: 3 id, 4 actual micros, 5 actual tokens, 6 monthTtlMs, 7 the reservation's month, 8 countsAgainstBudget,
--       9 when the settle was first attempted, on Redis's clock (a settle queued while Redis was unreachable), or -1
local now = now_ms()
local id = ARGV[3]
if redis.call('ZSCORE', finished, id) then return 0 end
local micros = tonumber(ARGV[4])
local tokens = tonumber(ARGV[5])
local hold = live_hold(id, now)
local result = 1
if hold then
  drop_hold(id, hold)
  correct_window(hold, tokens)
else
  -- The call happened and used this much: the month counts it, though nothing was held for it any more - unless
  -- the month's counters were seeded from the ledger after the settle was first attempted (Redis had lost them):
  -- the call's record was in the ledger by then, and the seed counted it.
  hold = { month = ARGV[7], counts = ARGV[8] == '1' }
  result = 2
  local seeded_at = redis.call('HGET', month_key(hold.month), 'seeded')
  local attempted = tonumber(ARGV[9])
  if seeded_at and attempted >= 0 and tonumber(seeded_at) > attempted then
    mark_finished(id, now)
    return 2
  end
end
local mkey = month_key(hold.month)
if redis.call('HEXISTS', mkey, 'seeded') == 1 then
  if hold.counts then redis.call('HINCRBY', mkey, 'spent', int(micros)) end
  redis.call('HINCRBY', mkey, 'tokens', int(tokens))
  redis.call('PEXPIRE', mkey, ARGV[6])
end
mark_finished(id, now)
return result
