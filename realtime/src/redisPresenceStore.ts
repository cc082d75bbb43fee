import type { PresenceUser } from '@primetrade/domain';
import { defineRedisScript, type Logger, type Redis } from '@primetrade/platform';
import type { PresenceStore } from './presence.js';

export interface RedisPresenceStoreOptions {
  /** Keys are `<prefix>presence:<boardId>` and that plus `:seen` / `:seq`. */
  readonly prefix: string;
  /** An entry not put or refreshed for this long is ignored and deleted (its node died). Default 30 s. */
  readonly ttlMs?: number;
  /** How often this node refreshes the entries it owns. Default `ttlMs / 3`. */
  readonly refreshEveryMs?: number;
  readonly logger?: Logger;
}

export interface RedisPresenceStore extends PresenceStore {
  /** Refreshes this node's entries now (the timer does it every `refreshEveryMs`). */
  refresh(): Promise<void>;
  /** Stops the refresh timer; this node's entries then expire after `ttlMs`. */
  close(): void;
}

interface StoredEntry {
  readonly seq: number;
  readonly user: PresenceUser;
}

// Redis server time, so nodes with skewed clocks agree on what is stale.
const nowMs = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

/** KEYS: entries, seen, seq. ARGV: socketId, user JSON, ttlMs. The counter orders puts across nodes. */
const putScript = defineRedisScript(`${nowMs}
local seq = redis.call('INCR', KEYS[3])
redis.call('HSET', KEYS[1], ARGV[1], '{"seq":' .. string.format('%d', seq) .. ',"user":' .. ARGV[2] .. '}')
redis.call('ZADD', KEYS[2], string.format('%d', now), ARGV[1])
for i = 1, 3 do redis.call('PEXPIRE', KEYS[i], ARGV[3]) end`);

/** KEYS: entries, seen. ARGV: userId. */
const removeUserScript = defineRedisScript(`local all = redis.call('HGETALL', KEYS[1])
for i = 1, #all, 2 do
  if cjson.decode(all[i + 1]).user.userId == ARGV[1] then
    redis.call('HDEL', KEYS[1], all[i])
    redis.call('ZREM', KEYS[2], all[i])
  end
end`);

/** KEYS: entries, seen. ARGV: ttlMs. Drops stale entries, then returns the rest as HGETALL does. */
const listScript = defineRedisScript(`${nowMs}
local stale = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', string.format('(%d', now - tonumber(ARGV[1])))
for _, socketId in ipairs(stale) do
  redis.call('HDEL', KEYS[1], socketId)
  redis.call('ZREM', KEYS[2], socketId)
end
return redis.call('HGETALL', KEYS[1])`);

/**
 * KEYS: entries, seen, seq. ARGV: ttlMs, socketIds…. Marks still-present entries as seen now, without
 * changing their order; returns the socket ids that are gone (removed elsewhere, or found stale).
 */
const refreshScript = defineRedisScript(`${nowMs}
local gone = {}
for i = 2, #ARGV do
  if redis.call('ZSCORE', KEYS[2], ARGV[i]) then
    redis.call('ZADD', KEYS[2], 'XX', string.format('%d', now), ARGV[i])
  else
    table.insert(gone, ARGV[i])
  end
end
if redis.call('EXISTS', KEYS[1]) == 1 then
  for i = 1, 3 do redis.call('PEXPIRE', KEYS[i], ARGV[1]) end
end
return gone`);

/**
 * Presence shared by every realtime node (docs/api.md). Per board: a hash socketId → {seq, user}
 * (seq from a per-board counter, so "most recently put" holds across nodes) and a sorted set
 * socketId → last seen (Redis time). A node that dies leaves its entries behind: they stop being
 * refreshed and `list` drops them after `ttlMs`; the board's keys expire too once nobody refreshes.
 */
export function createRedisPresenceStore(client: Redis, options: RedisPresenceStoreOptions): RedisPresenceStore {
  const ttlMs = options.ttlMs ?? 30_000;
  const refreshEveryMs = options.refreshEveryMs ?? Math.floor(ttlMs / 3);
  if (!Number.isInteger(ttlMs) || ttlMs <= 0)
    throw new RangeError('createRedisPresenceStore: ttlMs must be a positive integer');
  if (!(refreshEveryMs > 0 && refreshEveryMs < ttlMs))
    throw new RangeError('createRedisPresenceStore: refreshEveryMs must be between 0 and ttlMs');
  const keys = (boardId: string) => {
    const entries = `${options.prefix}presence:${boardId}`;
    return [entries, `${entries}:seen`, `${entries}:seq`] as const;
  };
  // The entries this node put and has not removed: the ones its timer keeps fresh.
  const owned = new Map<string, Set<string>>();
  const forget = (boardId: string, socketIds: Iterable<string>): void => {
    const sockets = owned.get(boardId);
    for (const socketId of socketIds) sockets?.delete(socketId);
    if (sockets?.size === 0) owned.delete(boardId);
  };

  async function refresh(): Promise<void> {
    for (const [boardId, sockets] of [...owned]) {
      const gone = await refreshScript(client, keys(boardId), [ttlMs, ...sockets]);
      if (Array.isArray(gone)) forget(boardId, gone.map(String));
    }
  }
  const timer = setInterval(() => {
    refresh().catch((error: unknown) => options.logger?.warn({ err: error }, 'realtime: presence refresh failed'));
  }, refreshEveryMs);
  timer.unref();

  return {
    refresh,
    close: () => clearInterval(timer),
    async put(boardId, socketId, user) {
      const { userId, name, taskId, editing } = user;
      await putScript(client, keys(boardId), [socketId, JSON.stringify({ userId, name, taskId, editing }), ttlMs]);
      owned.set(boardId, (owned.get(boardId) ?? new Set<string>()).add(socketId));
    },
    async remove(boardId, socketId) {
      forget(boardId, [socketId]);
      const [entries, seen] = keys(boardId);
      await client.multi().hdel(entries, socketId).zrem(seen, socketId).exec();
    },
    async removeUser(boardId, userId) {
      const [entries, seen] = keys(boardId);
      await removeUserScript(client, [entries, seen], [userId]);
    },
    async list(boardId) {
      const [entries, seen] = keys(boardId);
      const flat = await listScript(client, [entries, seen], [ttlMs]);
      if (!Array.isArray(flat)) return [];
      const stored: StoredEntry[] = [];
      for (let index = 1; index < flat.length; index += 2) stored.push(JSON.parse(String(flat[index])) as StoredEntry);
      stored.sort((a, b) => a.seq - b.seq);
      // As in memory: a user keeps the place of their oldest entry and shows their latest.
      const byUser = new Map<string, PresenceUser>();
      for (const { user } of stored) byUser.set(user.userId, user);
      return [...byUser.values()];
    },
  };
}
