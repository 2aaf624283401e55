import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RunningServer } from './server.js';
import type { Frame } from './testing/client.js';
import { TestClient, testServer } from './testing/client.js';

let server: RunningServer;
const clients: TestClient[] = [];

async function join(name: string, extra: Record<string, unknown> = {}) {
  const r = await TestClient.join(server.port, name, extra);
  clients.push(r.client);
  return r;
}
async function raw() {
  const c = await TestClient.connect(server.port);
  clients.push(c);
  return c;
}

beforeEach(async () => {
  server = await testServer();
});
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await server.close();
});

describe('hello and welcome', () => {
  it('welcomes with protocol, server, name, token, users, seq and limits, then history_end, then its own join', async () => {
    const c = await raw();
    c.send({ type: 'hello', protocol: 1, name: 'alice' });
    const welcome = await c.next('welcome');
    expect(welcome).toMatchObject({
      protocol: 1,
      server: 'ciao/0.1.0',
      name: 'alice',
      users: ['alice'],
      seq: 0,
      limits: { maxText: 4096, maxFrame: 65536, ratePerSec: 5, rateBurst: 20 },
    });
    expect(typeof welcome['token']).toBe('string');
    expect(welcome['epoch']).toBe(server.hub.room.epoch);
    expect(welcome['epoch']).toMatch(/^[\w-]{8,}$/);
    expect(await c.nextLine()).toBe('{"type":"history_end","more":false}');
    expect(await c.next('join')).toMatchObject({ seq: 1, name: 'alice' });
  });

  it('announces a join to the others and lists everyone in users', async () => {
    const { client: a } = await join('alice');
    const { welcome } = await join('bob');
    expect(welcome['users']).toEqual(['alice', 'bob']);
    expect(await a.next('join', (f) => f['name'] === 'bob')).toMatchObject({ seq: 2 });
  });

  it('sends the motd in the welcome when configured', async () => {
    await server.close();
    server = await testServer({ motd: 'be nice' });
    const { welcome } = await join('alice');
    expect(welcome['motd']).toBe('be nice');
  });

  it('replays recent history after the welcome, marked replay, when no since is given', async () => {
    const { client: a } = await join('alice');
    a.send({ type: 'say', text: 'one' });
    await a.next('message');
    const b = await raw();
    b.send({ type: 'hello', protocol: 1, name: 'bob' });
    await b.next('welcome');
    const replayed = [await b.next('join'), await b.next('message')];
    expect(replayed.every((f) => f['replay'] === true)).toBe(true);
    expect(await b.next('history_end')).toEqual({ type: 'history_end', more: false, before: 1 });
  });
});

describe('room messages', () => {
  it('broadcasts say to everyone including the sender, with id and action', async () => {
    const { client: a } = await join('alice');
    const { client: b } = await join('bob');
    a.send({ type: 'say', text: 'hello', id: 'm1' });
    a.send({ type: 'say', text: 'waves', action: true });
    for (const c of [a, b]) {
      const m = await c.next('message');
      expect(m).toMatchObject({ from: 'alice', text: 'hello', id: 'm1' });
      expect(typeof m['seq']).toBe('number');
      expect(typeof m['ts']).toBe('number');
      expect(await c.next('message')).toMatchObject({ text: 'waves', action: true });
    }
  });

  it('sanitises text before anyone sees it, keeping newlines', async () => {
    const { client: a } = await join('alice');
    a.send({ type: 'say', text: 'a\u001b[31mred\u001b[0m\u0007\tb\nc\u202e' });
    expect((await a.next('message'))['text']).toBe('ared b\nc');
  });

  it('sends a dm to both ends only; no_such_user carries the id', async () => {
    const { client: a } = await join('alice');
    const { client: b } = await join('bob');
    const { client: c } = await join('carol');
    a.send({ type: 'dm', to: 'Bob', text: 'psst', id: 'd1' });
    const expected = { type: 'dm', from: 'alice', to: 'bob', text: 'psst', id: 'd1' };
    expect(await a.next('dm')).toMatchObject(expected);
    expect(await b.next('dm')).toMatchObject(expected);
    a.send({ type: 'dm', to: 'nobody\u001b[2J\nfake', text: 'x', id: 'd2' });
    const err = await a.next('error');
    expect(err).toMatchObject({ code: 'no_such_user', id: 'd2' });
    // What the client sent is echoed sanitised, on one line.
    expect(err['message']).toBe('nobody called nobody fake is here');
    await c.sync();
    expect(c.frames.some((f) => f.type === 'dm')).toBe(false);
  });

  it('keeps live events in increasing seq order for every connection', async () => {
    const { client: a } = await join('alice');
    const { client: b } = await join('bob');
    for (let i = 0; i < 20; i++) {
      a.send({ type: 'say', text: `a${i}` });
      b.send({ type: 'dm', to: 'alice', text: `b${i}` });
    }
    await b.sync(); // b's dms are all created
    await a.sync(); // and so are a's messages, all before this pong
    const texts = a.frames.map((f) => f['text']);
    expect(texts).toContain('a19');
    expect(texts).toContain('b19');
    const seqs = a.frames
      .filter((f) => typeof f['seq'] === 'number' && !f['replay'])
      .map((f) => f['seq'] as number);
    expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
  });
});

describe('big rooms', () => {
  it('announces every join of a storm once, in seq order, and a member before it speaks', async () => {
    const { client: watcher } = await join('watcher');
    const names = Array.from({ length: 30 }, (_, i) => `s${i}`);
    const joined = await Promise.all(names.map((n) => join(n)));
    joined[29]!.client.send({ type: 'say', text: 'here now' });
    await watcher.next('message', (f) => f['text'] === 'here now');
    // Joins may come one by one or several to a `joins` frame: the same events either way.
    const seen: [number, string][] = [];
    for (const f of watcher.frames) {
      if (f.type === 'join') seen.push([f['seq'] as number, f['name'] as string]);
      if (f.type === 'joins')
        (f['names'] as string[]).forEach((n, i) => seen.push([(f['seq'] as number) + i, n]));
    }
    const own = seen.shift();
    expect(own?.[1]).toBe('watcher');
    expect(seen.map(([, n]) => n).sort()).toEqual([...names].sort());
    expect(seen.map(([seq]) => seq)).toEqual(seen.map((_, i) => seen[0]![0] + i));
    const said = watcher.frames.find((f) => f['text'] === 'here now')!;
    expect(said['seq']).toBeGreaterThan(seen.at(-1)![0]);
  });

  it('seats a hello beyond the seats of its turn in a later turn, with what followed it after it', async () => {
    await server.close();
    // One seat per turn: the refused hello takes it, so the second waits with the say behind.
    server = await testServer({ seatsPerTurn: 1 });
    const { client: a } = await join('alice');
    a.send({ type: 'say', text: 'before' });
    await a.next('message');
    const c = await raw();
    c.write(
      [
        { type: 'hello', protocol: 1, name: 'alice' },
        { type: 'hello', protocol: 1, name: 'bob' },
        { type: 'say', text: 'hi', id: 'm1' },
      ]
        .map((f) => JSON.stringify(f) + '\n')
        .join(''),
    );
    await c.next('message', (f) => f['id'] === 'm1');
    expect(c.frames.map((f) => [f.type, f['code'] ?? f['name'] ?? f['text']])).toEqual([
      ['error', 'name_taken'],
      ['welcome', 'bob'],
      ['join', 'alice'],
      ['message', 'before'],
      ['history_end', undefined],
      ['join', 'bob'],
      ['message', 'hi'],
    ]);
  });

  it('answers who from an offset with that page of names, the offset and the total', async () => {
    await join('alice');
    await join('bob');
    const { client: c } = await join('cy');
    c.send({ type: 'who', offset: 1 });
    expect(await c.next('users')).toEqual({
      type: 'users',
      offset: 1,
      total: 3,
      names: ['bob', 'cy'],
    });
  });

  it('welcomes with userCount', async () => {
    await join('alice');
    const { welcome } = await join('bob');
    expect(welcome).toMatchObject({ users: ['alice', 'bob'], userCount: 2 });
  });
});

describe('nick, who, history, ping', () => {
  it('renames with a nick event to everyone; name_taken and name_invalid otherwise', async () => {
    const { client: a } = await join('alice');
    const { client: b } = await join('bob');
    a.send({ type: 'nick', name: 'BOB' });
    expect(await a.next('error')).toMatchObject({ code: 'name_taken' });
    a.send({ type: 'nick', name: 'al ice' });
    expect(await a.next('error')).toMatchObject({ code: 'name_invalid' });
    a.send({ type: 'nick', name: 'alicia' });
    for (const c of [a, b])
      expect(await c.next('nick')).toMatchObject({ from: 'alice', to: 'alicia' });
    b.send({ type: 'who' });
    expect(await b.next('users')).toEqual({
      type: 'users',
      offset: 0,
      total: 2,
      names: ['alicia', 'bob'],
    });
  });

  it('answers history with the latest limit events before a seq, oldest first, marked replay', async () => {
    const { client: a } = await join('alice');
    for (let i = 0; i < 10; i++) a.send({ type: 'say', text: `m${i}` });
    await a.next('message', (f) => f['text'] === 'm9');
    a.send({ type: 'history', before: 8, limit: 3 });
    const got = [await a.next('message'), await a.next('message'), await a.next('message')];
    expect(got.map((f) => [f['seq'], f['replay']])).toEqual([
      [5, true],
      [6, true],
      [7, true],
    ]);
    expect(await a.next('history_end')).toEqual({ type: 'history_end', more: true, before: 5 });
    a.send({ type: 'history', before: 2 });
    expect((await a.next('join'))['replay']).toBe(true);
    expect(await a.next('history_end')).toEqual({ type: 'history_end', more: false, before: 1 });
  });

  it('answers ping with pong and the same nonce, string or number, even before hello', async () => {
    const c = await raw();
    c.send({ type: 'ping', nonce: 'abc' });
    expect(await c.nextLine()).toBe('{"type":"pong","nonce":"abc"}');
    c.send({ type: 'ping', nonce: 42 });
    expect(await c.nextLine()).toBe('{"type":"pong","nonce":42}');
    c.send({ type: 'ping' });
    expect(await c.nextLine()).toBe('{"type":"pong"}');
  });

  it('takes pong silently and ignores unknown fields', async () => {
    const { client: a } = await join('alice');
    a.send({ type: 'pong', nonce: 1 });
    a.send({ type: 'say', text: 'hi', future: { x: 1 } });
    expect(await a.next('message')).toMatchObject({ text: 'hi' });
    expect(a.frames.filter((f) => f.type === 'error')).toEqual([]);
  });

  it('bye announces a quit leave to the others and closes', async () => {
    const { client: a } = await join('alice');
    const { client: b } = await join('bob');
    a.send({ type: 'say', text: 'bye all' });
    a.send({ type: 'bye', reason: 'done' });
    // The sender still gets everything created before its bye.
    expect(await a.next('message')).toMatchObject({ text: 'bye all' });
    await a.waitClosed();
    expect(await b.next('leave')).toMatchObject({ name: 'alice', reason: 'quit' });
  });

  it('announces a leave with reason quit when a client just disconnects', async () => {
    const { client: a } = await join('alice');
    const { client: b } = await join('bob');
    a.socket.end();
    expect(await b.next('leave')).toMatchObject({ name: 'alice', reason: 'quit' });
  });
});

describe('errors', () => {
  const cases: [string, string | Record<string, unknown>, Partial<Frame>][] = [
    ['not JSON', '{nope\n', { code: 'bad_frame' }],
    ['an array', '[1,2]\n', { code: 'bad_frame' }],
    ['no type', '{"text":"x"}\n', { code: 'bad_frame' }],
    ['an unknown type', { type: 'teleport' }, { code: 'unknown_type' }],
    ['a missing field', { type: 'say', id: 'q1' }, { code: 'bad_field', id: 'q1' }],
    ['a wrong field type', { type: 'dm', to: 5, text: 'x' }, { code: 'bad_field' }],
    ['an overlong id', { type: 'say', text: 'x', id: 'i'.repeat(65) }, { code: 'bad_field' }],
    [
      'an empty text',
      { type: 'say', text: ' \u001b[0m ', id: 'e1' },
      { code: 'text_empty', id: 'e1' },
    ],
    [
      'a text over 4,096 characters',
      { type: 'say', text: 'x'.repeat(4097), id: 'e2' },
      { code: 'text_too_long', id: 'e2' },
    ],
    [
      'a text of 101 lines',
      { type: 'say', text: 'x\n'.repeat(100) + 'x', id: 'e3' },
      { code: 'text_too_many_lines', id: 'e3' },
    ],
    [
      'a private text of 101 lines',
      { type: 'dm', to: 'alice', text: 'x\n'.repeat(100) + 'x', id: 'e4' },
      { code: 'text_too_many_lines', id: 'e4' },
    ],
    ['a second hello', { type: 'hello', protocol: 1, name: 'zed' }, { code: 'already_registered' }],
  ];
  it.each(cases)(
    'answers %s with a non-fatal error and goes on',
    async (_what, input, expected) => {
      const { client: a } = await join('alice');
      if (typeof input === 'string') a.write(input);
      else a.send(input);
      const err = await a.next('error');
      expect(err).toMatchObject(expected);
      expect(err['fatal']).toBeUndefined();
      expect(typeof err['message']).toBe('string');
      await a.sync();
      expect(a.closed).toBe(false);
    },
  );

  it('skips a frame over 65,536 bytes with frame_too_large and goes on', async () => {
    const { client: a } = await join('alice');
    a.write(JSON.stringify({ type: 'say', text: 'x'.repeat(70_000) }) + '\n');
    a.send({ type: 'say', text: 'after' });
    expect(await a.next('error')).toMatchObject({ code: 'frame_too_large' });
    expect(await a.next('message')).toMatchObject({ text: 'after' });
  });

  it('answers anything but hello or ping before hello with not_registered, with the id', async () => {
    const c = await raw();
    c.send({ type: 'say', text: 'hi', id: 'n1' });
    expect(await c.next('error')).toMatchObject({ code: 'not_registered', id: 'n1' });
    c.send({ type: 'who' });
    expect(await c.next('error')).toMatchObject({ code: 'not_registered' });
    c.send({ type: 'hello', protocol: 1, name: 'alice' });
    await c.next('welcome');
  });

  it('refuses bad and taken names without closing, so the client can try again', async () => {
    await join('alice');
    const c = await raw();
    c.send({ type: 'hello', protocol: 1, name: 'ALICE' });
    expect(await c.next('error')).toMatchObject({ code: 'name_taken' });
    c.send({ type: 'hello', protocol: 1, name: '\u001b[31mbob' });
    expect(await c.next('error')).toMatchObject({ code: 'name_invalid' });
    c.send({ type: 'hello', protocol: 1, name: 'bob' });
    expect(await c.next('welcome')).toMatchObject({ name: 'bob' });
  });

  it('closes after protocol_unsupported (fatal)', async () => {
    const c = await raw();
    c.send({ type: 'hello', protocol: 2, name: 'alice' });
    expect(await c.next('error')).toMatchObject({ code: 'protocol_unsupported', fatal: true });
    await c.waitClosed();
  });

  it('closes after auth_failed (fatal) and welcomes the right password', async () => {
    await server.close();
    server = await testServer({ password: 'sesame' });
    const c = await raw();
    c.send({ type: 'hello', protocol: 1, name: 'alice', password: 'nope' });
    expect(await c.next('error')).toMatchObject({ code: 'auth_failed', fatal: true });
    await c.waitClosed();
    const missing = await raw();
    missing.send({ type: 'hello', protocol: 1, name: 'alice' });
    expect(await missing.next('error')).toMatchObject({ code: 'auth_failed' });
    await join('alice', { password: 'sesame' });
  });

  it('closes after server_full (fatal) when max clients are registered', async () => {
    await server.close();
    server = await testServer({ maxClients: 2 });
    await join('a');
    const { welcome } = await join('b');
    const c = await raw();
    c.send({ type: 'hello', protocol: 1, name: 'c' });
    expect(await c.next('error')).toMatchObject({ code: 'server_full', fatal: true });
    await c.waitClosed();
    // Reclaiming a name with its token takes no new place.
    const again = await raw();
    again.send({ type: 'hello', protocol: 1, name: 'b', token: welcome['token'] });
    await again.next('welcome');
  });

  it('answers say and dm over the rate with rate_limited and the id, broadcasting nothing', async () => {
    await server.close();
    server = await testServer({ ratePerSec: 0.001, rateBurst: 3 });
    const { client: a } = await join('alice');
    for (let i = 0; i < 5; i++) a.send({ type: 'say', text: `m${i}`, id: `r${i}` });
    expect(await a.next('error')).toMatchObject({ code: 'rate_limited', id: 'r3' });
    expect(await a.next('error')).toMatchObject({ code: 'rate_limited', id: 'r4' });
    await a.sync();
    expect(a.frames.filter((f) => f.type === 'message')).toHaveLength(3);
  });
});

describe('reconnecting', () => {
  it('reclaims a name with its token: the old connection gets replaced, the room sees no leave or join', async () => {
    const { client: old, welcome } = await join('alice');
    const { client: b } = await join('bob');
    const fresh = await raw();
    fresh.send({ type: 'hello', protocol: 1, name: 'alice', token: welcome['token'] });
    expect(await fresh.next('welcome')).toMatchObject({ name: 'alice', token: welcome['token'] });
    expect(await old.next('error')).toMatchObject({ code: 'replaced', fatal: true });
    await old.waitClosed();
    fresh.send({ type: 'say', text: 'still me' });
    expect(await b.next('message')).toMatchObject({ from: 'alice', text: 'still me' });
    expect(
      b.frames.filter(
        (f) => (f.type === 'leave' || f.type === 'join') && f['name'] === 'alice' && !f['replay'],
      ),
    ).toEqual([]);
  });

  it('refuses a wrong token for a name in use with name_taken', async () => {
    await join('alice');
    const c = await raw();
    c.send({ type: 'hello', protocol: 1, name: 'alice', token: 'forged' });
    expect(await c.next('error')).toMatchObject({ code: 'name_taken' });
  });

  it('loses nothing across a reconnect with token and since, and doubles nothing on resend', async () => {
    const { client: a, welcome } = await join('alice');
    const { client: b } = await join('bob');
    // Bob's join may be batched with others (PROTOCOL.md): it comes before 'before' here.
    await a.next('join', (f) => f['name'] === 'bob');
    a.send({ type: 'say', text: 'before', id: 'a1' });
    const before = await a.next('message');
    a.close(); // lost connection
    await b.next('leave', (f) => f['name'] === 'alice');
    b.send({ type: 'say', text: 'while away' });
    await b.next('message', (f) => f['text'] === 'while away');
    const back = await raw();
    back.send({
      type: 'hello',
      protocol: 1,
      name: 'alice',
      token: welcome['token'],
      since: before['seq'],
    });
    await back.next('welcome');
    const missed: Frame[] = [];
    for (;;) {
      const line = await back.nextLine();
      const f = JSON.parse(line) as Frame;
      if (f.type === 'history_end') break;
      missed.push(f);
    }
    expect(missed.map((f) => [f.type, f['text'] ?? f['name']])).toEqual([
      ['leave', 'alice'],
      ['message', 'while away'],
    ]);
    // The client resends what it had not seen echoed: the server answers with the original.
    back.send({ type: 'say', text: 'before', id: 'a1' });
    expect(await back.next('message', (f) => f['id'] === 'a1')).toEqual(before);
    await b.sync();
    expect(b.frames.filter((f) => f['id'] === 'a1')).toHaveLength(1);
  });
});

describe('liveness', () => {
  it('pings a silent connection and drops it with reason timeout', async () => {
    await server.close();
    server = await testServer({ idlePingMs: 100, idleTimeoutMs: 300 });
    const { client: a } = await join('alice');
    const { client: b } = await join('bob');
    expect(await a.next('ping')).toEqual({ type: 'ping' });
    // bob keeps talking, alice stays silent.
    const keepAlive = setInterval(() => b.send({ type: 'pong' }), 50);
    try {
      expect(await b.next('leave')).toMatchObject({ name: 'alice', reason: 'timeout' });
      await a.waitClosed();
      expect(b.closed).toBe(false);
    } finally {
      clearInterval(keepAlive);
    }
  });

  it('closes a connection that does not register in time', async () => {
    await server.close();
    server = await testServer({ registerTimeoutMs: 200 });
    const c = await raw();
    c.send({ type: 'ping' });
    await c.waitClosed();
  });
});

describe('shutdown', () => {
  it('sends notice, then the fatal error shutdown, announces no leave, and closes everyone', async () => {
    const { client: a } = await join('alice');
    const { client: b } = await join('bob');
    const pending = await raw();
    await server.close();
    for (const c of [a, b]) {
      expect(await c.next('notice')).toMatchObject({
        text: expect.stringContaining('shutting down'),
      });
      expect(await c.next('error')).toMatchObject({ code: 'shutdown', fatal: true });
      await c.waitClosed();
      expect(c.frames.some((f) => f.type === 'leave')).toBe(false);
    }
    await pending.waitClosed();
  });
});
