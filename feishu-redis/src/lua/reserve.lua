-- Reserves one departure for a budget key (RedisBudgetStore::reserve), atomically.
--
-- KEYS[1]     the key's meta hash: epoch, blocked_until (us), seq
-- KEYS[2..]   one sorted set per window: departure times (us since the Unix epoch, from Redis
--             TIME, so every process agrees on the clock) as scores
-- ARGV[1]     how long (ms) the meta hash outlives its last use
-- ARGV[2i], ARGV[2i+1]   span (us) and allowance of the window KEYS[i+1]
--
-- The departure is the earliest time >= now that the block and every window allow: a window
-- allows t when its allowance-th most recent departure (past or reserved) lies at least one
-- span before t. It is logged in every window. Returns {delay_us, epoch}.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local meta = KEYS[1]
local blocked = tonumber(redis.call('HGET', meta, 'blocked_until') or 0)
local at = math.max(now, blocked)
for i = 2, #KEYS do
  local span = tonumber(ARGV[2 * i - 2])
  local allowance = tonumber(ARGV[2 * i - 1])
  -- Departures a span old constrain nothing; of the past ones, only the last `allowance`.
  redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', string.format('%.0f', now - span))
  local past = redis.call('ZCOUNT', KEYS[i], '-inf', string.format('%.0f', now))
  if past > allowance then
    redis.call('ZREMRANGEBYRANK', KEYS[i], 0, past - allowance - 1)
  end
  local n = redis.call('ZCARD', KEYS[i])
  if n >= allowance then
    local oldest = redis.call('ZRANGE', KEYS[i], n - allowance, n - allowance, 'WITHSCORES')
    at = math.max(at, tonumber(oldest[2]) + span)
  end
end
local seq = redis.call('HINCRBY', meta, 'seq', 1)
local member = string.format('%.0f:%d', at, seq)
local keep = math.max(tonumber(ARGV[1]), math.ceil((blocked - now) / 1000) + 1000)
for i = 2, #KEYS do
  local span = tonumber(ARGV[2 * i - 2])
  local ttl = math.ceil((at + span - now) / 1000) + 1000
  redis.call('ZADD', KEYS[i], at, member)
  redis.call('PEXPIRE', KEYS[i], ttl)
  keep = math.max(keep, ttl)
end
redis.call('PEXPIRE', meta, keep)
local epoch = tonumber(redis.call('HGET', meta, 'epoch') or 0)
return {at - now, epoch}
