-- Gives back a token refresh lease only if this holder still has it (RedisTokenStore),
-- atomically: a lease that ran out and went to another process stays theirs.
--
-- KEYS[1]  the lease key
-- ARGV[1]  the holder's id
-- Returns 1 when deleted, 0 otherwise.
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
