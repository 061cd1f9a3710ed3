-- A rate-limit reply for a budget key (RedisBudgetStore::block), atomically.
--
-- KEYS as in reserve.lua.
-- ARGV[1]     how long (ms) the meta hash outlives its last use
-- ARGV[2]     the reset (us)
-- ARGV[i+1]   span (us) of the window KEYS[i]
--
-- No departure before now + reset (the allowance left in the server's window is gone);
-- departures reserved after now are dropped and the epoch advances, so their holders reserve
-- again instead of sending into the block. Past departures stay: they still count.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local meta = KEYS[1]
local blocked = math.max(now + tonumber(ARGV[2]), tonumber(redis.call('HGET', meta, 'blocked_until') or 0))
redis.call('HSET', meta, 'blocked_until', string.format('%.0f', blocked))
redis.call('HINCRBY', meta, 'epoch', 1)
local keep = math.max(tonumber(ARGV[1]), math.ceil((blocked - now) / 1000) + 1000)
for i = 2, #KEYS do
  redis.call('ZREMRANGEBYSCORE', KEYS[i], '(' .. string.format('%.0f', now), '+inf')
  local ttl = math.ceil(tonumber(ARGV[i + 1]) / 1000) + 1000
  if redis.call('PEXPIRE', KEYS[i], ttl) == 1 then
    keep = math.max(keep, ttl)
  end
end
redis.call('PEXPIRE', meta, keep)
return 1
