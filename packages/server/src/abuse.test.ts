import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ServerConfig } from './config.js';
import type { RunningServer } from './server.js';
import type { Frame } from './testing/client.js';
import { TestClient, testServer } from './testing/client.js';

// Issue 8, item by item, on real sockets: what a burst, a flood or a trick may not do.

let server: RunningServer | undefined;
const clients: TestClient[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await server?.close();
  server = undefined;
});

async function start(overrides: Partial<ServerConfig> = {}): Promise<number> {
  server = await testServer(overrides);
  return server.port;
}
async function join(port: number, name: string, extra: Record<string, unknown> = {}) {
  const r = await TestClient.join(port, name, extra);
  clients.push(r.client);
  return r;
}
async function raw(port: number) {
  const c = await TestClient.connect(port);
  clients.push(c);
  return c;
}
function count(c: TestClient, match: (f: Frame) => boolean): number {
  return c.frames.filter(match).length;
}

/** A full GC, for memory figures (vitest runs without --expose-gc). */
function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

describe('bursts', () => {
  it('drops no reading client when 70 clients send a legal burst of 20 long messages at once', async () => {
    const port = await start();
    const readers = await Promise.all(
      Array.from({ length: 10 }, (_, i) => join(port, `reader${i}`)),
    );
    const senders = await Promise.all(Array.from({ length: 70 }, (_, i) => join(port, `s${i}`)));
    const text = 'x'.repeat(4000);
    // Each sender writes its whole burst in one write, all in the same moment.
    for (const { client } of senders) {
      let burst = '';
      for (let m = 0; m < 20; m++)
        burst += JSON.stringify({ type: 'say', text, id: `m${m}` }) + '\n';
      client.write(burst);
    }
    const expected = 70 * 20;
    for (const { client } of [...readers, ...senders]) {
      let got = 0;
      // Counted as lines arrive, without parsing the whole history on each wake-up.
      await client.nextLine((l) => l.startsWith('{"type":"message"') && ++got === expected, 30_000);
    }
    for (const { client } of [...readers, ...senders]) {
      const trouble = client.frames.filter((f) => f.type === 'leave' || f.type === 'error');
      expect(JSON.stringify(trouble)).toBe('[]');
      expect(client.closed).toBe(false);
    }
  }, 60_000);
});

describe('memory', () => {
  it('keeps no message text for the dedupe windows of 200 clients that sent 200 DMs and left', async () => {
    const port = await start({ ratePerSec: 1e6, rateBurst: 1e6, historySize: 100 });
    const { client: watcher } = await join(port, 'watcher');
    collectGarbage();
    const before = process.memoryUsage().heapUsed;
    const text = 'd'.repeat(1000);
    for (let batch = 0; batch < 4; batch++) {
      const group = await Promise.all(
        Array.from({ length: 50 }, (_, i) => join(port, `dm${batch}_${i}`)),
      );
      await Promise.all(
        group.map(async ({ client }, i) => {
          let lines = '';
          for (let m = 0; m < 200; m++)
            lines +=
              JSON.stringify({ type: 'dm', to: `dm${batch}_${i}`, text, id: `id${m}` }) + '\n';
          client.write(lines);
          let got = 0;
          await client.nextLine((l) => l.startsWith('{"type":"dm"') && ++got === 200, 20_000);
          client.close();
          // What this test's clients received is not the server's memory.
          client.lines.length = 0;
        }),
      );
    }
    await watcher.until((f) => f.filter((x) => x.type === 'leave').length === 200, 10_000);
    // The server has let go of every socket once each has closed (round trips, not sleeps).
    for (let i = 0; i < 1_000 && server!.hub.sessions.size > 1; i++) await watcher.sync();
    expect(server!.hub.sessions.size).toBe(1);
    collectGarbage();
    const grown = (process.memoryUsage().heapUsed - before) / 2 ** 20;
    // 40,000 ids at 16 bytes each are 0.6 MB; the events they name would be over 100 MB.
    expect(grown).toBeLessThan(20);
  }, 60_000);

  it('keeps the history of a DM flood in the JS heap, not in Buffers', async () => {
    // Buffers are malloc'd outside the JS heap: kept ones outlive the GCs that free the dead
    // ones around them, and glibc never gives back free memory below a live block, so a flood
    // left the RSS up for good (the abuse bench's DM flood). The history holds text instead.
    const port = await start({ ratePerSec: 1e6, rateBurst: 1e6, historySize: 1_000 });
    const { client: watcher } = await join(port, 'watcher');
    collectGarbage();
    const before = process.memoryUsage().arrayBuffers;
    const text = 'd'.repeat(1000);
    const group = await Promise.all(Array.from({ length: 20 }, (_, i) => join(port, `dm${i}`)));
    await Promise.all(
      group.map(async ({ client }, i) => {
        let lines = '';
        for (let m = 0; m < 60; m++)
          lines += JSON.stringify({ type: 'dm', to: `dm${i}`, text, id: `id${m}` }) + '\n';
        client.write(lines);
        let got = 0;
        await client.nextLine((l) => l.startsWith('{"type":"dm"') && ++got === 60, 20_000);
        client.close();
        client.lines.length = 0;
      }),
    );
    await watcher.until((f) => f.filter((x) => x.type === 'leave').length === 20, 10_000);
    for (let i = 0; i < 1_000 && server!.hub.sessions.size > 1; i++) await watcher.sync();
    expect(server!.hub.sessions.size).toBe(1);
    collectGarbage();
    // The history now holds the last 1,000 events, nearly all DMs of over 1,000 bytes each.
    const kept = process.memoryUsage().arrayBuffers - before;
    expect(kept).toBeLessThan(256 * 1024);
  }, 60_000);
});

describe('costs', () => {
  it('answers at most a burst of who in one write, the rest rate_limited', async () => {
    const port = await start();
    const { client: a } = await join(port, 'alice');
    const { client: b } = await join(port, 'bob');
    a.write('{"type":"who"}\n'.repeat(2000));
    await a.sync();
    expect(count(a, (f) => f.type === 'users')).toBe(20);
    expect(count(a, (f) => f.type === 'error' && f['code'] === 'rate_limited')).toBe(1980);
    b.send({ type: 'say', text: 'still here', id: 'b1' });
    await a.next('message', (f) => f['id'] === 'b1');
  });

  it('turns 3,000 renames in one write into one nick event', async () => {
    const port = await start();
    const { client: a } = await join(port, 'alice');
    const { client: b } = await join(port, 'bob');
    let renames = '';
    for (let i = 0; i < 3000; i++)
      renames += JSON.stringify({ type: 'nick', name: `n${i}` }) + '\n';
    a.write(renames);
    await a.sync();
    await b.sync();
    expect(count(b, (f) => f.type === 'nick')).toBe(1);
    expect(count(a, (f) => f.type === 'error' && f['code'] === 'rate_limited')).toBe(2999);
  });

  it('charges history a token', async () => {
    const port = await start({ rateBurst: 3 });
    const { client: a } = await join(port, 'alice');
    a.write('{"type":"history","before":100}\n'.repeat(5));
    await a.sync();
    expect(count(a, (f) => f.type === 'history_end')).toBe(1 + 3);
    expect(count(a, (f) => f.type === 'error' && f['code'] === 'rate_limited')).toBe(2);
  });
});

describe('connection floods', () => {
  it('lets a real user in past 300 idle sockets from one address, closing the oldest with too_many_connections', async () => {
    const port = await start({
      maxClients: 10,
      maxUnregisteredPerAddress: 20,
      maxUnregistered: 50,
      waitingGraceMs: 0,
    });
    const idle: TestClient[] = [];
    for (let i = 0; i < 300; i++) idle.push(await raw(port));
    const { welcome } = await join(port, 'alice');
    expect(welcome['name']).toBe('alice');
    expect(await idle[0]!.next('error')).toMatchObject({
      code: 'too_many_connections',
      fatal: true,
    });
    await idle[0]!.waitClosed();
    expect(server!.hub.waiting).toBeLessThanOrEqual(20);
  });

  it('closes the oldest unregistered connection overall past the total cap', async () => {
    const port = await start({
      maxUnregisteredPerAddress: 100,
      maxUnregistered: 5,
      waitingGraceMs: 0,
    });
    const idle: TestClient[] = [];
    for (let i = 0; i < 6; i++) idle.push(await raw(port));
    expect(await idle[0]!.next('error')).toMatchObject({ code: 'too_many_connections' });
    await idle[1]!.sync();
    expect(idle[1]!.closed).toBe(false);
  });

  it('lets a crowd from one address that connects at once all say hello', async () => {
    const port = await start({ maxUnregisteredPerAddress: 4 });
    const crowd = await Promise.all(Array.from({ length: 40 }, () => raw(port)));
    // A round trip each: all 40 are accepted and waiting before anyone says hello.
    await Promise.all(crowd.map((c) => c.sync()));
    crowd.forEach((c, i) => c.send({ type: 'hello', protocol: 1, name: `c${i}` }));
    for (const c of crowd) await c.next('welcome');
    expect(crowd.filter((c) => c.closed)).toEqual([]);
  });
});

describe('replay', () => {
  it('replays all of 5,000 events a client missed, then history_end without a gap', async () => {
    const port = await start({ historySize: 10_000, ratePerSec: 1e6, rateBurst: 1e6 });
    const { client: a, welcome } = await join(port, 'alice');
    const { client: b } = await join(port, 'bob');
    b.send({ type: 'say', text: 'mark', id: 'mark' });
    const mark = await a.next('message', (f) => f['id'] === 'mark');
    a.close();
    await b.next('leave', (f) => f['name'] === 'alice');
    let lines = '';
    // ~1 KB each: 5 MB in all, more than any fixed share of the output limit.
    const text = 'r'.repeat(1000);
    for (let i = 0; i < 4999; i++)
      lines += JSON.stringify({ type: 'say', text: `${text}${i}` }) + '\n';
    b.write(lines);
    let got = 0;
    await b.nextLine((l) => l.startsWith('{"type":"message"') && ++got === 4999, 20_000);
    const back = await raw(port);
    back.send({
      type: 'hello',
      protocol: 1,
      name: 'alice',
      token: welcome['token'],
      since: mark['seq'],
    });
    await back.next('welcome');
    const end = await back.next('history_end', () => true, 20_000);
    const replayed = back.frames.filter((f) => f['replay'] === true);
    expect(replayed).toHaveLength(5000); // alice's leave and 4,999 messages
    const seqs = replayed.map((f) => f['seq'] as number);
    expect(seqs).toEqual(Array.from({ length: 5000 }, (_, i) => (mark['seq'] as number) + 1 + i));
    expect(end).toEqual({ type: 'history_end', more: false, before: seqs[0] });
  }, 40_000);

  it('says more: true when events after since are no longer held', async () => {
    const port = await start({ historySize: 10 });
    const { client: a, welcome } = await join(port, 'alice');
    for (let i = 0; i < 6; i++) {
      const { client } = await join(port, `p${i}`);
      client.close();
    }
    await a.until((f) => f.filter((x) => x.type === 'leave').length === 6);
    const back = await raw(port);
    back.send({ type: 'hello', protocol: 1, name: 'bob', since: 0 });
    await back.next('welcome');
    expect(await back.next('history_end')).toMatchObject({ more: true });
    expect(welcome['seq']).toBe(0);
  });
});

describe('dedupe', () => {
  it('answers a resend whose event left history with delivered, and never doubles it', async () => {
    const port = await start({ historySize: 5, ratePerSec: 1e6, rateBurst: 1e6 });
    const { client: a } = await join(port, 'alice');
    a.send({ type: 'say', text: 'early', id: 'e1' });
    const first = await a.next('message', (f) => f['id'] === 'e1');
    for (let i = 0; i < 10; i++) a.send({ type: 'say', text: `m${i}` });
    a.send({ type: 'say', text: 'early', id: 'e1' });
    expect(await a.next('delivered')).toEqual({ type: 'delivered', id: 'e1', seq: first['seq'] });
    expect(count(a, (f) => f['id'] === 'e1')).toBe(2); // the message and the delivered
  });
});

describe('names', () => {
  it('refuses blank and look-alike names, naming the look-alike', async () => {
    const port = await start();
    await join(port, 'alice');
    await join(port, 'AB');
    const c = await raw(port);
    for (const name of [
      '\u3164',
      'a\u3164b',
      '\u115f',
      '\uffa0x',
      'x\u200b',
      'e' + '\u0301'.repeat(23),
    ]) {
      c.send({ type: 'hello', protocol: 1, name });
      expect(await c.next('error')).toMatchObject({ code: 'name_invalid' });
    }
    for (const [name, like] of [
      ['\u0430lice', 'alice'],
      ['\u0251lice', 'alice'],
      ['\u0391\u0392', 'AB'],
    ]) {
      c.send({ type: 'hello', protocol: 1, name });
      const err = await c.next('error');
      expect(err).toMatchObject({ code: 'name_taken' });
      expect(err['message']).toBe(`${name} looks like ${like}, who is here`);
    }
  });
});

describe('text and fields', () => {
  it('removes invisible format characters, turns U+2028/U+2029 into newlines and lone surrogates into U+FFFD', async () => {
    const port = await start();
    const { client: a } = await join(port, 'alice');
    a.write(
      '{"type":"say","id":"t","text":"a\\u200bb\\u200ec\\u200fd\\u061ce\\ufefff\\u2060g\\u2064h\\u2028i\\u2029j\\ud800k\\u200dl"}\n',
    );
    expect((await a.next('message', (f) => f['id'] === 't'))['text']).toBe(
      'abcdefgh\ni\nj\ufffdk\u200dl',
    );
    a.send({ type: 'say', text: '\u200b\u2060\ufeff', id: 'blank' });
    expect(await a.next('error')).toMatchObject({ code: 'text_empty', id: 'blank' });
  });

  it('takes a nonce of at most 64 characters or a safe integer, anything else is bad_field', async () => {
    const port = await start();
    const c = await raw(port);
    c.write('{"type":"ping","nonce":123456789012345678901234567890}\n');
    expect(await c.next('error')).toMatchObject({ code: 'bad_field' });
    c.send({ type: 'ping', nonce: 'n'.repeat(65) });
    expect(await c.next('error')).toMatchObject({ code: 'bad_field' });
    c.send({ type: 'ping', nonce: Number.MAX_SAFE_INTEGER });
    expect(await c.next('pong')).toEqual({ type: 'pong', nonce: Number.MAX_SAFE_INTEGER });
  });
});

describe('plain sessions', () => {
  it('leaves on {quit} ended by a telnet CR NUL', async () => {
    const port = await start({ plainPromptDelayMs: 50, plainLineFlushMs: 100 });
    const { client: j } = await join(port, 'carol');
    const p = await raw(port);
    p.write('alice\r\n');
    await p.nextLine((l) => l.includes('welcome, alice!'));
    p.write('{quit}\r\0');
    await p.waitClosed();
    expect(await j.next('leave', (f) => f['name'] === 'alice')).toMatchObject({ reason: 'quit' });
    expect(count(j, (f) => f.type === 'message')).toBe(0);
  });
});

describe('one lifecycle per session', () => {
  it('ends only the session whose input handling failed, with leave error', async () => {
    const port = await start();
    const { client: a } = await join(port, 'alice');
    const { client: b } = await join(port, 'bob');
    const names = vi.spyOn(server!.hub.room.list, 'usersJson').mockImplementationOnce(() => {
      throw new Error('a bug');
    });
    a.send({ type: 'who' });
    expect(await b.next('leave')).toMatchObject({ name: 'alice', reason: 'error' });
    await a.waitClosed();
    names.mockRestore();
    b.send({ type: 'who' });
    expect(await b.next('users')).toMatchObject({ names: ['bob'] });
    const { welcome } = await join(port, 'carol');
    expect(welcome['users']).toEqual(['bob', 'carol']);
  });
});
