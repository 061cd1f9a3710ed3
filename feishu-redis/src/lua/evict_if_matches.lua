-- Deletes a cached token only if it still holds the rejected one (RedisTokenStore), atomically.
--
-- KEYS[1]  the token's hash (field `token`)
-- ARGV[1]  the rejected token
-- Returns 1 when deleted, 0 otherwise.
if redis.call('HGET', KEYS[1], 'token') == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
