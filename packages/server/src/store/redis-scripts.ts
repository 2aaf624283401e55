/**
 * The Lua scripts that change a room kept in Redis. Each runs atomically, so the checks and
 * the writes of one request (a name claim, a dedupe check and the seq it assigns) can never
 * interleave with another server's. Every script takes the room's key prefix as ARGV[1]; the
 * prefix holds a hash tag (`ciao:{room}:`), so all of a room's keys live in one slot.
 *
 * Keys under the prefix P:
 * - `P seq`      the last seq assigned (INCR): no server ever numbers an event itself.
 * - `P log`      the stream: one entry per event, ID `<seq>-0`, fields `e` (the event's JSON,
 *                wire order), `i` (the identity a join/leave/nick is about), `a`/`b` (a dm's
 *                ends), `d` (the sender, when the event carries a dedupe `id`). Entries
 *                `<seq>-N` (N > 0) are control records, ordered with the events: `c` = replace.
 * - `P epoch`    the room's identity (`welcome.epoch`).
 * - `P ident`    the last identity id; `P tok:<token>` → identity (expires when unused).
 * - `P names`    name key → identity; `P looks` confusable skeleton → identity.
 * - `P members`  identity → JSON {s: server, n: name, k: key, l: [look, look], j: join seq}.
 * - `P dd:<id>`  the identity's dedupe window (frame id → seq), `P ddq:<id>` its order.
 * - `P servers`  server id → start time; `P alive:<server>` its liveness key (PX TTL).
 * - `P restoring` set for a moment after an empty Redis was restored (see `restore`).
 */

/** Helpers every script starts with. ARGV[1] is the prefix, ARGV[2] the stream's MAXLEN. */
const PRELUDE = `
local P = ARGV[1]
local MAXLEN = ARGV[2]
local function append(kind, tail, fields)
  local seq = redis.call('INCR', P .. 'seq')
  local t = redis.call('TIME')
  local ts = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
  local e = '{"type":"' .. kind .. '","seq":' .. seq .. ',"ts":' .. ts .. tail
  local args = {'XADD', P .. 'log', 'MAXLEN', '~', MAXLEN, seq .. '-0', 'e', e}
  for _, f in ipairs(fields) do args[#args + 1] = f end
  redis.call(unpack(args))
  return seq
end
local function member(id)
  local raw = redis.call('HGET', P .. 'members', id)
  if not raw then return nil end
  return cjson.decode(raw)
end
local function claim(id, key, l1, l2)
  redis.call('HSET', P .. 'names', key, id)
  redis.call('HSET', P .. 'looks', l1, id)
  redis.call('HSET', P .. 'looks', l2, id)
end
local function unclaim(id, rec)
  if redis.call('HGET', P .. 'names', rec.k) == id then redis.call('HDEL', P .. 'names', rec.k) end
  for _, look in ipairs(rec.l) do
    if redis.call('HGET', P .. 'looks', look) == id then redis.call('HDEL', P .. 'looks', look) end
  end
end
local function release(id, rec)
  unclaim(id, rec)
  redis.call('HDEL', P .. 'members', id)
end
local function leaveTail(rec, reason)
  return ',"name":' .. cjson.encode(rec.n) .. ',"reason":"' .. reason .. '"}'
end
local function gated()
  return redis.call('EXISTS', P .. 'restoring') == 1
end
`;

/**
 * hello: ARGV server, name, key, look1, look2, token ('' for none), newToken, join tail,
 * token TTL (s). Replies:
 * - {'joined', identity, token, seq}: the name is claimed and the `join` appended.
 * - {'reclaim', identity, token, oldServer}: the token holds the name: this server now serves
 *   it; a `replace` control record tells the old server (it may be this one).
 * - {'taken', holderName, 'name'|'look'}; {'unavailable'} while a restore is settling.
 */
const REGISTER = `
if gated() then return {'unavailable'} end
local server, name, key, l1, l2, token, newToken, tail, ttl =
  ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7], ARGV[8], ARGV[9], ARGV[10], ARGV[11]
local tokId = false
if token ~= '' then tokId = redis.call('GET', P .. 'tok:' .. token) end
local holder = redis.call('HGET', P .. 'names', key)
if holder then
  local rec = member(holder)
  if tokId and tokId == holder and rec then
    local old = rec.s
    rec.s = server
    redis.call('HSET', P .. 'members', holder, cjson.encode(rec))
    redis.call('EXPIRE', P .. 'tok:' .. token, ttl)
    local seq = redis.call('GET', P .. 'seq') or '0'
    redis.call('XADD', P .. 'log', 'MAXLEN', '~', MAXLEN, seq .. '-*', 'c', 'replace', 's', old, 'i', holder)
    return {'reclaim', holder, token, old}
  end
  return {'taken', rec and rec.n or name, 'name'}
end
for _, look in ipairs({l1, l2}) do
  local h = redis.call('HGET', P .. 'looks', look)
  if h then
    local rec = member(h)
    return {'taken', rec and rec.n or look, 'look'}
  end
end
local id
if tokId and redis.call('HEXISTS', P .. 'members', tokId) == 0 then
  id = tokId
else
  id = tostring(redis.call('INCR', P .. 'ident'))
  token = newToken
  redis.call('SET', P .. 'tok:' .. token, id)
end
redis.call('EXPIRE', P .. 'tok:' .. token, ttl)
claim(id, key, l1, l2)
local seq = append('join', tail, {'i', id})
redis.call('HSET', P .. 'members', id, cjson.encode({s = server, n = name, k = key, l = {l1, l2}, j = seq}))
return {'joined', id, token, seq}
`;

/**
 * say/action/dm: ARGV server, identity, kind, tail, id ('' for none), toKey, toIdentity,
 * window size. Replies {'ok', seq}, {'dup', seq}, {'nouser'}, {'gone'} (this server no longer
 * holds the identity: replaced or reaped), {'unavailable'}.
 */
const POST = `
if gated() then return {'unavailable'} end
local server, id, kind, tail, fid, toKey, toId, window =
  ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7], ARGV[8], ARGV[9], tonumber(ARGV[10])
local rec = member(id)
if not rec or rec.s ~= server then return {'gone'} end
local dd = P .. 'dd:' .. id
local ddq = P .. 'ddq:' .. id
if fid ~= '' then
  local seen = redis.call('HGET', dd, fid)
  if seen then return {'dup', seen} end
end
local fields = {}
if kind == 'dm' then
  if redis.call('HGET', P .. 'names', toKey) ~= toId then return {'nouser'} end
  fields = {'a', id, 'b', toId}
end
if fid ~= '' then
  fields[#fields + 1] = 'd'
  fields[#fields + 1] = id
end
local seq = append(kind, tail, fields)
if fid ~= '' then
  redis.call('HSET', dd, fid, seq)
  redis.call('RPUSH', ddq, fid)
  if redis.call('LLEN', ddq) > window then redis.call('HDEL', dd, redis.call('LPOP', ddq)) end
  redis.call('EXPIRE', dd, 3600)
  redis.call('EXPIRE', ddq, 3600)
end
return {'ok', tostring(seq)}
`;

/**
 * nick: ARGV server, identity, name, key, look1, look2, tail. Replies {'ok', seq},
 * {'taken', holderName, 'name'|'look'}, {'gone'}, {'unavailable'}.
 */
const NICK = `
if gated() then return {'unavailable'} end
local server, id, name, key, l1, l2, tail = ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7], ARGV[8], ARGV[9]
local rec = member(id)
if not rec or rec.s ~= server then return {'gone'} end
if key ~= rec.k then
  local h = redis.call('HGET', P .. 'names', key)
  if h and h ~= id then
    local other = member(h)
    return {'taken', other and other.n or name, 'name'}
  end
end
for _, look in ipairs({l1, l2}) do
  local h = redis.call('HGET', P .. 'looks', look)
  if h and h ~= id then
    local other = member(h)
    return {'taken', other and other.n or look, 'look'}
  end
end
unclaim(id, rec)
claim(id, key, l1, l2)
rec.n = name
rec.k = key
rec.l = {l1, l2}
redis.call('HSET', P .. 'members', id, cjson.encode(rec))
return {'ok', tostring(append('nick', tail, {'i', id}))}
`;

/** A member leaves: ARGV server, identity, reason. Replies {'ok', seq} or {'gone'}. */
const LEAVE = `
local server, id, reason = ARGV[3], ARGV[4], ARGV[5]
local rec = member(id)
if not rec or rec.s ~= server then return {'gone'} end
release(id, rec)
return {'ok', tostring(append('leave', leaveTail(rec, reason), {'i', id}))}
`;

/**
 * Liveness, every second: ARGV server, ttl (ms). Replies 'ok'; 'renewed' when the key had
 * expired but the server was not reaped (a Redis pause); 'reaped' when its members were taken
 * over (its sessions must end) or Redis lost everything (restore first).
 */
const HEARTBEAT = `
local server, ttl = ARGV[3], ARGV[4]
if redis.call('SET', P .. 'alive:' .. server, '1', 'PX', ttl, 'XX') then return 'ok' end
if redis.call('HEXISTS', P .. 'servers', server) == 1 then
  redis.call('SET', P .. 'alive:' .. server, '1', 'PX', ttl)
  return 'renewed'
end
return 'reaped'
`;

/**
 * Members of servers whose liveness key is gone leave, once: ARGV server (the caller, never
 * reaped by itself). Atomic, so of several servers reaping at once exactly one announces each
 * leave. Replies the number of leaves appended.
 */
const REAP = `
local me = ARGV[3]
local dead = {}
local any = false
for _, s in ipairs(redis.call('HKEYS', P .. 'servers')) do
  if s ~= me and redis.call('EXISTS', P .. 'alive:' .. s) == 0 then
    dead[s] = true
    any = true
  end
end
if not any then return 0 end
local count = 0
local all = redis.call('HGETALL', P .. 'members')
for i = 1, #all, 2 do
  local id = all[i]
  local rec = cjson.decode(all[i + 1])
  if dead[rec.s] then
    release(id, rec)
    append('leave', leaveTail(rec, 'error'), {'i', id})
    count = count + 1
  end
end
for s in pairs(dead) do redis.call('HDEL', P .. 'servers', s) end
return count
`;

/**
 * A server starts: ARGV server, ttl, new epoch. Registers it as alive and returns
 * {epoch, seq, members...} read in one step, so the members are those as of that seq.
 */
const START = `
local server, ttl, epoch = ARGV[3], ARGV[4], ARGV[5]
redis.call('SET', P .. 'epoch', epoch, 'NX')
redis.call('HSET', P .. 'servers', server, redis.call('TIME')[1])
redis.call('SET', P .. 'alive:' .. server, '1', 'PX', ttl)
local out = {redis.call('GET', P .. 'epoch'), redis.call('GET', P .. 'seq') or '0'}
for _, v in ipairs(redis.call('HGETALL', P .. 'members')) do out[#out + 1] = v end
return out
`;

/**
 * After Redis came back: ARGV server, ttl, epoch, head (the last seq this server holds), max
 * identity id it knows, gate (ms). Replies 'fresh' when Redis had lost the room (this server
 * then writes back what it holds: {@link RESTORE_EVENTS}, {@link RESTORE_MEMBER}), 'same' when
 * the room is still there (with this server still registered), 'reaped' when it is there but
 * this server's members were taken over, 'other' when Redis holds another room.
 */
const RESTORE = `
local server, ttl, epoch, head, maxId, gate = ARGV[3], ARGV[4], ARGV[5], tonumber(ARGV[6]), tonumber(ARGV[7]), ARGV[8]
local current = redis.call('GET', P .. 'epoch')
local fresh = false
if not current then
  redis.call('SET', P .. 'epoch', epoch)
  redis.call('SET', P .. 'restoring', '1', 'PX', gate)
  fresh = true
elseif current ~= epoch then
  return 'other'
end
if tonumber(redis.call('GET', P .. 'seq') or '0') < head then redis.call('SET', P .. 'seq', head) end
if tonumber(redis.call('GET', P .. 'ident') or '0') < maxId then redis.call('SET', P .. 'ident', maxId) end
if not fresh and redis.call('EXISTS', P .. 'restoring') == 0 and redis.call('HEXISTS', P .. 'servers', server) == 0 then
  return 'reaped'
end
redis.call('HSET', P .. 'servers', server, redis.call('TIME')[1])
redis.call('SET', P .. 'alive:' .. server, '1', 'PX', ttl)
if fresh or redis.call('EXISTS', P .. 'restoring') == 1 then return 'fresh' end
return 'same'
`;

/**
 * Writes back events Redis lost: ARGV then groups of (seq, json, identity|'', endA|'',
 * endB|'', sender|'', frame id|'', window). Events at or below the stream's last ID are there
 * already (another server restored them) and are skipped.
 */
const RESTORE_EVENTS = `
local window = tonumber(ARGV[3])
local last = 0
if redis.call('EXISTS', P .. 'log') == 1 then
  local info = redis.call('XINFO', 'STREAM', P .. 'log')
  for i = 1, #info, 2 do
    if info[i] == 'last-generated-id' then last = tonumber(string.match(info[i + 1], '^(%d+)')) end
  end
end
local added = 0
for i = 4, #ARGV, 7 do
  local seq = tonumber(ARGV[i])
  if seq > last then
    local args = {'XADD', P .. 'log', 'MAXLEN', '~', MAXLEN, seq .. '-0', 'e', ARGV[i + 1]}
    if ARGV[i + 2] ~= '' then args[#args + 1] = 'i'; args[#args + 1] = ARGV[i + 2] end
    if ARGV[i + 3] ~= '' then
      args[#args + 1] = 'a'; args[#args + 1] = ARGV[i + 3]
      args[#args + 1] = 'b'; args[#args + 1] = ARGV[i + 4]
    end
    if ARGV[i + 5] ~= '' then args[#args + 1] = 'd'; args[#args + 1] = ARGV[i + 5] end
    redis.call(unpack(args))
    last = seq
    added = added + 1
  end
  if ARGV[i + 5] ~= '' and ARGV[i + 6] ~= '' then
    local dd = P .. 'dd:' .. ARGV[i + 5]
    if redis.call('HSETNX', dd, ARGV[i + 6], seq) == 1 then
      local ddq = P .. 'ddq:' .. ARGV[i + 5]
      redis.call('RPUSH', ddq, ARGV[i + 6])
      if redis.call('LLEN', ddq) > window then redis.call('HDEL', dd, redis.call('LPOP', ddq)) end
      redis.call('EXPIRE', dd, 3600)
      redis.call('EXPIRE', ddq, 3600)
    end
  end
end
if tonumber(redis.call('GET', P .. 'seq') or '0') < last then redis.call('SET', P .. 'seq', last) end
return added
`;

/**
 * Writes back one of this server's members Redis lost: ARGV server, identity, token, name,
 * key, look1, look2, join seq, token TTL. Replies 'ok', or the holder's name when the name
 * is held by someone else (it cannot be, as names were unique before; the member then ends).
 */
const RESTORE_MEMBER = `
local server, id, token, name, key, l1, l2, j, ttl = ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7], ARGV[8], ARGV[9], tonumber(ARGV[10]), ARGV[11]
local h = redis.call('HGET', P .. 'names', key)
if h and h ~= id then
  local other = member(h)
  return other and other.n or name
end
claim(id, key, l1, l2)
redis.call('SET', P .. 'tok:' .. token, id, 'EX', ttl)
redis.call('HSET', P .. 'members', id, cjson.encode({s = server, n = name, k = key, l = {l1, l2}, j = j}))
return 'ok'
`;

export const SCRIPTS = {
  register: PRELUDE + REGISTER,
  post: PRELUDE + POST,
  nick: PRELUDE + NICK,
  leave: PRELUDE + LEAVE,
  heartbeat: PRELUDE + HEARTBEAT,
  reap: PRELUDE + REAP,
  start: PRELUDE + START,
  restore: PRELUDE + RESTORE,
  restoreEvents: PRELUDE + RESTORE_EVENTS,
  restoreMember: PRELUDE + RESTORE_MEMBER,
} as const;

export type ScriptName = keyof typeof SCRIPTS;
