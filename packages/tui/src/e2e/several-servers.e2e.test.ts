import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChatController } from '../chat-controller.js';
import { Connection } from '../net/connection.js';
import type { RedisProcess, ServerProcess } from '../test/processes.js';
import {
  redisAvailable,
  serverAvailable,
  startRedis,
  startServerProcess,
} from '../test/processes.js';
import { RawClient } from '../test/raw-client.js';
import { waitFor } from '../test/wait-for.js';

const hasServer = await serverAvailable();
const hasRedis = redisAvailable();
if (hasServer && !hasRedis)
  console.warn(
    'skipping the TUI tests of several servers: no redis-server (apt-get install redis-server)',
  );

/**
 * The client given a list of servers that share one room through Redis: it moves from one to
 * the next, and keeps what the servers could not store (`unavailable`) until they can.
 */
describe.skipIf(!hasServer || !hasRedis)('one room on two servers sharing Redis', () => {
  let redisDir: string;
  let redis: RedisProcess;
  let first: ServerProcess;
  let second: ServerProcess;
  let ann: ChatController;
  let bob: RawClient;

  beforeAll(async () => {
    redisDir = mkdtempSync(path.join(tmpdir(), 'ciao-tui-redis-'));
    redis = await startRedis(redisDir);
    [first, second] = await Promise.all([
      startServerProcess(['--redis', redis.url]),
      startServerProcess(['--redis', redis.url]),
    ]);
    ann = new ChatController({
      name: 'ann',
      address: `127.0.0.1:${first.port}`,
      flushMs: 0,
      random: () => 0,
      makeTransport: (handlers) =>
        new Connection(
          {
            hosts: [
              { host: '127.0.0.1', port: first.port },
              { host: '127.0.0.1', port: second.port },
            ],
            random: () => 0,
          },
          handlers,
        ),
    });
    bob = new RawClient(second.port, 'bob');
  }, 60_000);

  afterAll(async () => {
    bob?.close();
    await ann?.quit();
    await Promise.all([first?.stop(), second?.stop()]);
    await redis?.stop();
    rmSync(redisDir, { recursive: true, force: true });
  }, 20_000);

  const annTexts = (): string[] =>
    ann
      .getState()
      .lines.filter((l) => l.kind === 'message' && l.sub === 0)
      .map((l) => `${l.from}: ${l.text}`);

  it('moves to the second server when the first is SIGKILLed: same epoch, nothing lost or doubled', async () => {
    ann.start();
    await waitFor(
      () => ann.getState().conn.state === 'online' && ann.getState().users.includes('bob'),
      15_000,
      () => JSON.stringify([ann.getState().conn, ann.getState().users]),
    );
    expect(ann.getState().address).toBe(`127.0.0.1:${first.port}`);
    bob.send({ type: 'say', text: 'before the crash', id: 'b1' });
    ann.submit('mine, before the crash');
    await waitFor(
      () => ann.getState().outbox.length === 0 && annTexts().includes('bob: before the crash'),
      5_000,
      () => annTexts().join('\n'),
    );
    const epoch = ann.getState().epoch;

    first.child.kill('SIGKILL');
    await waitFor(() => ann.getState().conn.state !== 'online', 5_000, 'ann offline');
    ann.submit('typed as the server died');
    bob.send({ type: 'say', text: 'while ann moves', id: 'b2' });
    await waitFor(
      () =>
        ann.getState().conn.state === 'online' &&
        ann.getState().outbox.length === 0 &&
        annTexts().includes('bob: while ann moves'),
      15_000,
      () => JSON.stringify([ann.getState().conn, annTexts()]),
    );
    await waitFor(
      () => bob.texts().includes('ann: typed as the server died'),
      5_000,
      () => bob.texts().join('\n'),
    );

    expect(ann.getState().address).toBe(`127.0.0.1:${second.port}`);
    expect(ann.getState().epoch).toBe(epoch);
    expect(ann.getState().lines.some((l) => /reset/.test(l.text))).toBe(false);
    const seen = annTexts();
    for (const text of [
      'bob: before the crash',
      'ann: mine, before the crash',
      'ann: typed as the server died',
      'bob: while ann moves',
    ])
      expect(seen.filter((t) => t === text)).toHaveLength(1);
    expect(bob.texts().filter((t) => t.startsWith('ann: '))).toEqual([
      'ann: mine, before the crash',
      'ann: typed as the server died',
    ]);
    const seqs = ann
      .getState()
      .lines.filter((l) => l.sub === 0)
      .map((l) => l.seq);
    expect(new Set(seqs).size).toBe(seqs.length);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
  }, 45_000);

  it('keeps a line typed while Redis is down pending and sends it, once, when Redis is back', async () => {
    await redis.stop();
    // The server says so (a notice) before it answers anything with `unavailable`.
    await waitFor(
      () => ann.getState().lines.some((l) => l.kind === 'notice' && /store/.test(l.text)),
      10_000,
      () =>
        ann
          .getState()
          .lines.map((l) => l.text)
          .join('\n'),
    );
    ann.submit('typed while Redis was down');
    await waitFor(
      () => (ann.getState().outbox[0]?.unavailable ?? 0) >= 1,
      5_000,
      () => JSON.stringify(ann.getState().outbox),
    );
    expect(ann.getState().lines.some((l) => l.failed !== undefined)).toBe(false);

    redis = await startRedis(redisDir);
    await waitFor(
      () => ann.getState().outbox.length === 0,
      30_000,
      () => JSON.stringify(ann.getState().outbox),
    );
    await waitFor(
      () => bob.texts().includes('ann: typed while Redis was down'),
      5_000,
      () => bob.texts().join('\n'),
    );
    expect(annTexts().filter((t) => t === 'ann: typed while Redis was down')).toHaveLength(1);
    expect(bob.texts().filter((t) => t === 'ann: typed while Redis was down')).toHaveLength(1);
  }, 60_000);
});
