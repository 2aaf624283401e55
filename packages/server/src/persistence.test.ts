import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ServerConfig } from './config.js';
import type { RunningServer } from './server.js';
import type { Frame } from './testing/client.js';
import { TestClient, testServer } from './testing/client.js';

let dataDir: string;
let server: RunningServer | undefined;
const clients: TestClient[] = [];

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'ciao-persist-'));
});
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await server?.close();
  server = undefined;
  rmSync(dataDir, { recursive: true, force: true });
});

/** Starts (or restarts) the server on the test's data directory. */
async function start(overrides: Partial<ServerConfig> = {}): Promise<RunningServer> {
  await server?.close();
  server = await testServer({ dataDir, shutdownGraceMs: 1_000, ...overrides });
  return server;
}

async function enter(name: string, extra: Record<string, unknown> = {}) {
  const r = await TestClient.join(server!.port, name, extra);
  clients.push(r.client);
  return r;
}

/** The frames up to the next `history_end` (a replay or a `history` answer), and that end. */
async function untilEnd(c: TestClient): Promise<{ frames: Frame[]; end: Frame }> {
  const frames: Frame[] = [];
  for (;;) {
    const f = JSON.parse(await c.nextLine()) as Frame;
    if (f.type === 'history_end') return { frames, end: f };
    frames.push(f);
  }
}

/** Joins and collects the replay that follows the welcome. */
async function joinWithReplay(name: string, extra: Record<string, unknown> = {}) {
  const client = await TestClient.connect(server!.port);
  clients.push(client);
  client.send({ type: 'hello', protocol: 1, name, ...extra });
  const welcome = await client.next('welcome');
  const { frames: replay } = await untilEnd(client);
  return { client, welcome, replay };
}

describe('a room kept in a data directory', () => {
  it('keeps history, seq and epoch across a restart: a new client sees the earlier messages', async () => {
    await start();
    const { client: a, welcome: first } = await enter('ann');
    a.send({ type: 'say', text: 'before the restart', id: 'm1' });
    const sent = await a.next('message');
    await start();
    const { client, welcome, replay } = await joinWithReplay('bob');
    expect(welcome['epoch']).toBe(first['epoch']);
    // A shutdown announces no leave: the log stops at ann's message.
    expect(welcome['seq']).toBe(sent['seq']);
    expect(replay.map((f) => f['text'] ?? f.type)).toEqual(['join', 'before the restart']);
    const own = await client.next('join', (f) => f['name'] === 'bob');
    expect(own['seq']).toBe((sent['seq'] as number) + 1);
  });

  it('resumes a client with token and since after a restart: nothing lost, a resend not doubled', async () => {
    await start();
    const { client: a, welcome } = await enter('ann');
    a.send({ type: 'say', text: 'one', id: 'm1' });
    const one = await a.next('message');
    a.send({ type: 'say', text: 'two', id: 'm2' });
    await a.next('message');
    await start();
    // As if ann never saw m2's echo: she comes back with the last seq she saw, and resends m2.
    const {
      client,
      welcome: again,
      replay,
    } = await joinWithReplay('ann', {
      token: welcome['token'],
      since: one['seq'],
      epoch: welcome['epoch'],
    });
    expect(again['token']).toBe(welcome['token']);
    expect(replay.map((f) => f['text'])).toEqual(['two']);
    client.send({ type: 'say', text: 'two', id: 'm2' });
    const answer = await client.next('message', (f) => f['id'] === 'm2');
    expect(answer['seq']).toBe(replay[0]!['seq']);
    const { replay: all } = await joinWithReplay('cy');
    expect(all.filter((f) => f['text'] === 'two')).toHaveLength(1);
  });

  it('pages history back through everything retained, beyond the in-memory size', async () => {
    await start({ historySize: 10, ratePerSec: 10_000, rateBurst: 10_000 });
    const { client: a } = await enter('ann');
    for (let i = 0; i < 150; i++) a.send({ type: 'say', text: `m${i}` });
    const last = await a.next('message', (f) => f['text'] === 'm149');
    let before = (last['seq'] as number) + 1;
    const seen: unknown[] = [];
    for (let more = true; more;) {
      a.send({ type: 'history', before, limit: 60 });
      const { frames, end } = await untilEnd(a);
      seen.unshift(...frames.map((f) => f['text'] ?? f.type));
      more = end['more'] === true;
      before = end['before'] as number;
    }
    expect(seen).toEqual(['join', ...Array.from({ length: 150 }, (_, i) => `m${i}`)]);
  });

  it('gives a client whose since belongs to another epoch a fresh replay', async () => {
    await start();
    const { client: a, welcome } = await enter('ann');
    for (const text of ['one', 'two', 'three']) a.send({ type: 'say', text });
    const three = await a.next('message', (f) => f['text'] === 'three');
    const since = (three['seq'] as number) - 1;
    const same = await joinWithReplay('bob', { since, epoch: welcome['epoch'] });
    expect(same.replay.map((f) => f['text'])).toEqual(['three']);
    const other = await joinWithReplay('cy', { since, epoch: 'some-other-epoch' });
    expect(other.welcome['epoch']).toBe(welcome['epoch']);
    // (Joins are left out: bob's may still wait to be announced with others.)
    expect(other.replay.flatMap((f) => (f.type === 'message' ? [f['text']] : []))).toEqual([
      'one',
      'two',
      'three',
    ]);
    expect(other.replay[0]).toMatchObject({ type: 'join', name: 'ann' });
  });

  it('starts a new epoch when the data is wiped, and without persistence on every start', async () => {
    await start();
    const { welcome: first } = await enter('ann');
    await server!.close();
    rmSync(dataDir, { recursive: true, force: true });
    await start();
    const { welcome: wiped } = await enter('bob');
    expect(wiped['epoch']).not.toBe(first['epoch']);
    expect(wiped['seq']).toBe(0);
    await start({ dataDir: undefined });
    const { welcome: m1 } = await enter('cy');
    await start({ dataDir: undefined });
    const { welcome: m2 } = await enter('cy');
    expect(m2['epoch']).not.toBe(m1['epoch']);
  });

  it('refuses to start on a data directory another server is using', async () => {
    await start();
    await expect(testServer({ dataDir })).rejects.toThrow(/in use by another ciao server/);
  });
});
