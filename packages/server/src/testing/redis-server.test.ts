import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  REDIS_INSTALL_HINT,
  ping,
  redisServerPath,
  redisSkipReason,
  startRedis,
} from './redis-server.js';

describe('the Redis test helper', () => {
  it('says how to install redis-server when it is not on PATH, and fails instead when CI requires it', () => {
    const none = { PATH: '/nonexistent' };
    expect(redisServerPath(none)).toBeUndefined();
    expect(redisSkipReason(none)).toBe(REDIS_INSTALL_HINT);
    expect(REDIS_INSTALL_HINT).toMatch(/apt-get install redis-server/);
    expect(() => redisSkipReason({ ...none, CIAO_REQUIRE_REDIS: '1' })).toThrow(/redis-server/);
  });

  it.skipIf(redisServerPath() === undefined)(
    'starts a private redis-server on a unix socket, kills it and restarts it empty on the same path',
    async () => {
      const redis = await startRedis();
      try {
        expect(redis.url).toBe(`unix:${redis.socketPath}`);
        expect(await ping(redis.socketPath)).toBe(true);
        const first = redis.pid;
        await redis.kill();
        expect(await ping(redis.socketPath)).toBe(false);
        await redis.restart();
        expect(redis.pid).not.toBe(first);
        expect(await ping(redis.socketPath)).toBe(true);
      } finally {
        await redis.stop();
      }
      expect(existsSync(redis.socketPath)).toBe(false);
    },
  );
});
