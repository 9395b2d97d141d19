"""The Lua scripts of the Redis outbox: each runs atomically on the server.

Claims and their fencing run here, on the server's clock (``TIME``), so every
process on every machine judges a lease by the same clock. A script finds its
keys from the prefix (``ARGV[1]``); they share its hash tag, so they are in
the slot of the key it declares.

Leases ride on the consumer group's pending entries list: a claim sets its
entry's idle time to ``horizon - lease`` (``XCLAIM ... IDLE``), so the entry
reaches the idle time ``horizon`` exactly when the lease runs out, and one
``XAUTOCLAIM`` with that minimum idle time takes over every expired lease
whatever its length. A release sets the idle time to ``horizon - delay``.
"""

from __future__ import annotations

__all__ = ["ACK_EVENTS", "CLAIM", "EXTEND", "MARK", "PUT", "RELEASE"]

# Lua's unpack() takes a few thousand values at most: ids go to XCLAIM in chunks.
_PRELUDE = """
local prefix = ARGV[1]
local t = redis.call('TIME')
local now_ms = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local now = string.format('%d.%06d', tonumber(t[1]), tonumber(t[2]))
-- The longest lease (ms); the scripts that take leases set it from their ARGV.
local horizon = 0
local function queue(route) return prefix .. ':q:' .. route end
local function message(key) return prefix .. ':m:' .. key end
local function ensure_group(q)
  pcall(redis.call, 'XGROUP', 'CREATE', q, 'workers', '0', 'MKSTREAM')
end
-- Sets the entries' idle time (see above) and their due time in the route's
-- due index, which says whether any lease ran out without scanning the PEL.
local function set_idle(route, worker, ids, idle)
  local q, due = queue(route), prefix .. ':due:' .. route
  for i = 1, #ids, 1000 do
    -- unpack() gives all its values only as the last argument of a call.
    local args = {'XCLAIM', q, 'workers', worker, 0}
    local scores = {'ZADD', due}
    for j = i, math.min(i + 999, #ids) do
      args[#args + 1] = ids[j]
      scores[#scores + 1] = now_ms + horizon - idle
      scores[#scores + 1] = ids[j]
    end
    args[#args + 1] = 'IDLE'
    args[#args + 1] = idle
    args[#args + 1] = 'JUSTID'
    redis.call(unpack(args))
    redis.call(unpack(scores))
  end
end
-- The claim (key, worker, attempt) is the message's current one.
local function holds(row, worker, attempt)
  return row[1] == worker and row[2] == attempt and not row[3]
end
"""

# ARGV: prefix, route, key1, payload1, key2, payload2, ... (keys distinct).
# Returns how many keys were new, or {reason, key, stored route} for a conflict.
PUT = (
    _PRELUDE
    + """
local route = ARGV[2]
for i = 3, #ARGV, 2 do
  local stored = redis.call('HMGET', message(ARGV[i]), 'route', 'payload')
  if stored[1] then
    if stored[1] ~= route then return {'route', ARGV[i], stored[1]} end
    if stored[2] ~= ARGV[i + 1] then return {'message', ARGV[i], route} end
  end
end
local q = queue(route)
ensure_group(q)
local added = 0
for i = 3, #ARGV, 2 do
  local m = message(ARGV[i])
  if redis.call('EXISTS', m) == 0 then
    local entry = redis.call('XADD', q, '*', 'k', ARGV[i], 'at', now)
    redis.call('HSET', m, 'route', route, 'payload', ARGV[i + 1], 'put_at', now,
      'attempt', 0, 'entry', entry)
    added = added + 1
  end
end
return added
"""
)

# ARGV: prefix, route, worker, limit, lease (ms), horizon (ms).
# Returns {key, payload, attempt, possibly_written, entry id, {parts hash}} per claim.
CLAIM = (
    _PRELUDE
    + """
local route, worker = ARGV[2], ARGV[3]
local limit, lease = tonumber(ARGV[4]), tonumber(ARGV[5])
horizon = tonumber(ARGV[6])
local q = queue(route)
local held = prefix .. ':held:' .. route
local due = prefix .. ':due:' .. route
ensure_group(q)
local entries = {}
-- Expired leases and released messages first: the pending list is in put order,
-- and older than anything not yet delivered. The due index says how many there
-- are, so the scan stops once it has them (and never starts when none is due).
local want = math.min(limit, redis.call('ZCOUNT', due, '-inf', now_ms))
local cursor = '0-0'
while #entries < want do
  local found = redis.call('XAUTOCLAIM', q, 'workers', worker, horizon, cursor,
    'COUNT', want - #entries)
  cursor = found[1]
  for _, entry in ipairs(found[2]) do entries[#entries + 1] = entry end
  if cursor == '0-0' then break end
end
if #entries < limit then
  local fresh = redis.call('XREADGROUP', 'GROUP', 'workers', worker,
    'COUNT', limit - #entries, 'STREAMS', q, '>')
  if fresh then for _, entry in ipairs(fresh[1][2]) do entries[#entries + 1] = entry end end
end
local claims, ids = {}, {}
for _, entry in ipairs(entries) do
  local key = entry[2][2]
  local m = message(key)
  local row = redis.call('HMGET', m, 'payload', 'attempt', 'marked_attempt', 'pw', 'outcome')
  if not row[1] or row[5] then
    -- Settled (or gone) while its entry stayed: nothing to hand out.
    redis.call('XACK', q, 'workers', entry[1])
    redis.call('XDEL', q, entry[1])
    redis.call('ZREM', due, entry[1])
  else
    local attempt = tonumber(row[2]) + 1
    -- Marked by an earlier claim that left no outcome: it may have gone out.
    local possibly = row[4] == '1' or row[3] ~= false
    local earlier = {}
    if possibly then
      earlier = redis.call('HGETALL', prefix .. ':parts:' .. key)
      if row[4] ~= '1' then
        redis.call('XADD', prefix .. ':events', '*', 'at', now, 'kind', 'possibly_written',
          'route', route, 'key', key)
      end
    end
    redis.call('HSET', m, 'attempt', attempt, 'owner', worker, 'claimed_at', now,
      'lease_until', now_ms + lease, 'pw', possibly and 1 or 0)
    redis.call('SADD', held, key)
    ids[#ids + 1] = entry[1]
    claims[#claims + 1] = {key, row[1], attempt, possibly and 1 or 0, entry[1], earlier}
  end
end
set_idle(route, worker, ids, horizon - lease)
return claims
"""
)

# ARGV: prefix, lease (ms), horizon (ms), then key, worker, attempt per claim.
# Returns the lost keys.
EXTEND = (
    _PRELUDE
    + """
local lease = tonumber(ARGV[2])
horizon = tonumber(ARGV[3])
local lost = {}
for i = 4, #ARGV, 3 do
  local key, worker = ARGV[i], ARGV[i + 1]
  local row = redis.call('HMGET', message(key), 'owner', 'attempt', 'outcome', 'route', 'entry')
  if holds(row, worker, ARGV[i + 2]) then
    redis.call('HSET', message(key), 'lease_until', now_ms + lease)
    set_idle(row[4], worker, {row[5]}, horizon - lease)
  else
    lost[#lost + 1] = key
  end
end
return lost
"""
)

# ARGV: prefix, delay (ms), horizon (ms), then key, worker, attempt per claim.
# Returns the lost keys, or {'accepted', key, index} (and does nothing) when a
# claim has a part the provider accepted.
RELEASE = (
    _PRELUDE
    + """
local delay = tonumber(ARGV[2])
horizon = tonumber(ARGV[3])
local lost, held = {}, {}
for i = 4, #ARGV, 3 do
  local key, worker, attempt = ARGV[i], ARGV[i + 1], ARGV[i + 2]
  local row = redis.call('HMGET', message(key), 'owner', 'attempt', 'outcome', 'route', 'entry',
    'marked_attempt')
  if holds(row, worker, attempt) then
    for _, field in ipairs(redis.call('HKEYS', prefix .. ':parts:' .. key)) do
      local part_attempt, index = string.match(field, '^(%d+):(%d+)$')
      if part_attempt == attempt then return {'accepted', key, attempt, index} end
    end
    held[#held + 1] = {key, worker, row}
  else
    lost[#lost + 1] = key
  end
end
for _, h in ipairs(held) do
  local key, worker, row = h[1], h[2], h[3]
  redis.call('HDEL', message(key), 'owner', 'lease_until')
  -- The worker says none of it was written: its own mark goes with the claim.
  if row[6] == row[2] then redis.call('HDEL', message(key), 'marked_at', 'marked_attempt') end
  redis.call('SREM', prefix .. ':held:' .. row[4], key)
  set_idle(row[4], worker, {row[5]}, horizon - delay)
end
return {'lost', unpack(lost)}
"""
)

# ARGV: prefix, then key, worker, attempt per claim. Returns the keys not to write.
MARK = (
    _PRELUDE
    + """
local lost = {}
for i = 2, #ARGV, 3 do
  local key, attempt = ARGV[i], ARGV[i + 2]
  local row = redis.call('HMGET', message(key), 'owner', 'attempt', 'outcome', 'lease_until')
  -- A lease that ran out may be taken over at any moment: writing under it
  -- could send the message twice, so it is refused until extended.
  if holds(row, ARGV[i + 1], attempt) and tonumber(row[4]) >= now_ms then
    redis.call('HSET', message(key), 'marked_at', now, 'marked_attempt', attempt)
  else
    lost[#lost + 1] = key
  end
end
return lost
"""
)

# ARGV: prefix, consumer, event id. Moves the consumer group's position forward only.
ACK_EVENTS = (
    _PRELUDE
    + """
local events, consumer, id = prefix .. ':events', ARGV[2], ARGV[3]
pcall(redis.call, 'XGROUP', 'CREATE', events, consumer, '0', 'MKSTREAM')
local function parse(text)
  local ms, seq = string.match(text, '^(%d+)-(%d+)$')
  return tonumber(ms), tonumber(seq)
end
for _, group in ipairs(redis.call('XINFO', 'GROUPS', events)) do
  local fields = {}
  for i = 1, #group, 2 do fields[group[i]] = group[i + 1] end
  if fields['name'] == consumer then
    local ms, seq = parse(fields['last-delivered-id'])
    local new_ms, new_seq = parse(id)
    if new_ms > ms or (new_ms == ms and new_seq > seq) then
      redis.call('XGROUP', 'SETID', events, consumer, id)
    end
  end
end
return 0
"""
)
