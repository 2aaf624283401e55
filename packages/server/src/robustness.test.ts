import { afterEach, describe, expect, it } from 'vitest';
import type { RunningServer } from './server.js';
import { TestClient, testServer } from './testing/client.js';

let server: RunningServer | undefined;
const clients: TestClient[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await server?.close();
  server = undefined;
});

async function join(port: number, name: string) {
  const r = await TestClient.join(port, name);
  clients.push(r.client);
  return r.client;
}

/** Small deterministic PRNG (mulberry32), so a failing fuzz run can be replayed. */
function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('robustness', () => {
  it('drops a slow consumer with leave slow_consumer while the others keep receiving', async () => {
    server = await testServer({
      maxOutputBytes: 256 * 1024,
      slowConsumerGraceMs: 200,
      ratePerSec: 1e6,
      rateBurst: 1e6,
    });
    const sender = await join(server.port, 'sender');
    const reader = await join(server.port, 'reader');
    const slow = await join(server.port, 'slow');
    slow.socket.pause(); // reads nothing more: the kernel buffers fill, then the server's.
    const text = 'x'.repeat(4000);
    const total = 3000; // ~12 MB, well past the loopback socket buffers and the limit
    // The reader keeps up (the test waits for each batch), the slow one never reads.
    for (let i = 0; i < total; i++) {
      sender.send({ type: 'say', text, id: `m${i}` });
      if (i % 50 === 49) await reader.next('message', (f) => f['id'] === `m${i}`, 15_000);
    }
    // It stays above the limit for the grace, then it is dropped.
    await reader.until((frames) => frames.some((f) => f.type === 'leave'), 5_000);
    const leaves = reader.frames.filter((f) => f.type === 'leave');
    expect(leaves).toMatchObject([{ name: 'slow', reason: 'slow_consumer' }]);
    const got = reader.frames.filter((f) => f.type === 'message' && f['from'] === 'sender');
    expect(got).toHaveLength(total);
    expect(reader.closed).toBe(false);
    // Once it reads again, what was accepted for it ends with the fatal error, then the close.
    slow.socket.resume();
    expect(await slow.next('error', () => true, 5_000)).toMatchObject({
      code: 'slow_consumer',
      fatal: true,
    });
    await slow.waitClosed(5_000);
  });

  it('announces leave with reason error when a connection is reset', async () => {
    server = await testServer();
    const a = await join(server.port, 'alice');
    const b = await join(server.port, 'bob');
    a.socket.resetAndDestroy();
    expect(await b.next('leave')).toMatchObject({ name: 'alice', reason: 'error' });
  });

  it('survives thousands of random frames and byte strings, then serves a fresh client', async () => {
    server = await testServer({ registerTimeoutMs: 60_000 });
    const rnd = prng(20261125);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
    const types = ['hello', 'say', 'dm', 'nick', 'who', 'history', 'ping', 'pong', 'bye', 'x', ''];
    const strings = [
      '',
      ' ',
      'alice',
      'bob',
      '\u001b[2J',
      '\u0000\u0001\u009b',
      'é'.repeat(30),
      '😀'.repeat(5000),
      '\u202e',
      'a\nb',
      '{',
      '\\',
    ];
    const value = (depth = 0): unknown => {
      switch (Math.floor(rnd() * 9)) {
        case 0:
          return pick(strings);
        case 1:
          return Math.floor(rnd() * 2 ** 53) * (rnd() < 0.3 ? -1 : 1);
        case 2:
          return rnd();
        case 3:
          return rnd() < 0.5;
        case 4:
          return null;
        case 5:
          return depth < 3 ? [value(depth + 1), value(depth + 1)] : [];
        case 6:
          return depth < 3 ? { type: pick(types), v: value(depth + 1) } : {};
        case 7:
          return 1;
        default:
          return pick(types);
      }
    };
    const frame = (): string => {
      const f: Record<string, unknown> = { type: rnd() < 0.9 ? pick(types) : value() };
      for (const field of [
        'protocol',
        'name',
        'text',
        'to',
        'id',
        'before',
        'limit',
        'since',
        'token',
        'nonce',
        'action',
        'password',
      ]) {
        if (rnd() < 0.35) f[field] = field === 'protocol' && rnd() < 0.7 ? 1 : value();
      }
      return JSON.stringify(f);
    };
    const bytes = (): Buffer => {
      const b = Buffer.alloc(Math.floor(rnd() * 300));
      for (let i = 0; i < b.length; i++)
        b[i] = rnd() < 0.1 ? pick([10, 13, 123, 125, 255, 0, 34]) : Math.floor(rnd() * 256);
      return b;
    };
    const conns: TestClient[] = [];
    for (let i = 0; i < 12; i++) {
      const c = await TestClient.connect(server.port);
      clients.push(c);
      conns.push(c);
      // Two thirds start as JSON sessions (some registered), the rest as plain or garbage.
      if (i % 3 === 0) c.send({ type: 'hello', protocol: 1, name: `fuzz${i}` });
      else if (i % 3 === 1) c.write('{');
    }
    const iterations = 4_000;
    for (let i = 0; i < iterations; i++) {
      const c = pick(conns);
      if (c.closed) continue;
      const r = rnd();
      if (r < 0.6) c.write(frame() + pick(['\n', '\r\n', '', '\n\n']));
      else if (r < 0.95) c.write(bytes());
      else if (r < 0.97)
        c.write('x'.repeat(70_000)); // over the frame limit
      else if (r < 0.975) c.socket.destroy();
      if (i % 200 === 0) await new Promise<void>((resolve) => setImmediate(resolve));
    }
    // The server is still serving: a fresh client registers and talks.
    const fresh = await join(server.port, 'fresh');
    fresh.send({ type: 'say', text: 'still alive', id: 'ok' });
    expect(await fresh.next('message', (f) => f['id'] === 'ok', 10_000)).toMatchObject({
      from: 'fresh',
      text: 'still alive',
    });
    const other = await join(server.port, 'other');
    other.send({ type: 'who' });
    expect((await other.next('users'))['names']).toContain('fresh');
  });

  it('never lets a client grow server memory by sending no newline', async () => {
    server = await testServer();
    const c = await TestClient.connect(server.port);
    clients.push(c);
    c.write('{"type":"say","text":"');
    const chunk = 'y'.repeat(16 * 1024);
    for (let i = 0; i < 64; i++) c.write(chunk); // 1 MiB with no newline
    c.write('"}\n{"type":"ping","nonce":1}\n');
    expect(await c.next('error')).toMatchObject({ code: 'frame_too_large' });
    expect(await c.next('pong')).toMatchObject({ nonce: 1 });
  });
});
