import { afterEach, describe, expect, it } from 'vitest';
import type { Cluster } from './testing/cluster.js';
import { startCiaoOnRedis, startCluster } from './testing/cluster.js';
import type { Frame } from './testing/client.js';
import { TestClient } from './testing/client.js';
import { identityOf, readLog } from './testing/crash-harness.js';
import { redisSkipReason } from './testing/redis-server.js';

/**
 * One room across several servers on a real Redis (issue 12): each test starts a private
 * redis-server (unix socket in a temp dir, nothing saved) and two or three ciao processes on it.
 */

const skip = redisSkipReason();
if (skip !== undefined) console.warn(skip);

/** What the issue promises for a dead server's members: one leave each, everywhere, within it. */
const DEAD_SERVER_LEAVE_MS = 10_000;
const WAIT_MS = 5_000;

let cluster: Cluster | undefined;
const clients: TestClient[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await cluster?.close();
  cluster = undefined;
});

async function start(count: number): Promise<Cluster> {
  cluster = await startCluster(count);
  return cluster;
}

/** A JSON client registered as `name`. */
async function json(
  port: number,
  name: string,
  extra: Record<string, unknown> = {},
): Promise<{ client: TestClient; welcome: Frame }> {
  const r = await TestClient.join(port, name, extra);
  clients.push(r.client);
  return r;
}

async function raw(port: number): Promise<TestClient> {
  const c = await TestClient.connect(port);
  clients.push(c);
  return c;
}

/** A netcat user: types a name, waits for the welcome line. */
async function plain(port: number, name: string): Promise<TestClient> {
  const c = await raw(port);
  c.write(`${name}\n`);
  await c.nextLine((l) => l.includes(`welcome, ${name}!`), WAIT_MS);
  return c;
}

/** The next `welcome` or `error` (a hello's outcome). */
async function outcome(c: TestClient): Promise<Frame> {
  const line = await c.nextLine((l) => /^\{"type":"(welcome|error)"/.test(l), WAIT_MS);
  return JSON.parse(line) as Frame;
}

interface Event {
  seq: number;
  /** What the event is (type, who, text, id): the same seq must always be the same event. */
  identity: string;
}

/** Live events (no replays), a `joins` frame read as the single joins it stands for. */
function liveEvents(frames: Frame[]): Event[] {
  return frames.flatMap((f): Event[] => {
    const seq = f['seq'];
    if (typeof seq !== 'number' || f['replay'] === true || f.type === 'welcome') return [];
    if (f.type === 'joins')
      return (f['names'] as string[]).map((name, i) => ({
        seq: seq + i,
        identity: identityOf({ type: 'join', seq: seq + i, name }),
      }));
    return [{ seq, identity: identityOf(f) }];
  });
}

const messages = (c: TestClient, replay = false): Frame[] =>
  c.frames.filter((f) => f.type === 'message' && (f['replay'] === true) === replay);
const texts = (c: TestClient, replay = false): string[] =>
  messages(c, replay).map((f) => f['text'] as string);

/** Leaves of `name` received so far (live). */
const leavesOf = (c: TestClient, name: string): Frame[] =>
  c.frames.filter((f) => f.type === 'leave' && f['name'] === name && f['replay'] !== true);

/** A live leave or join (single or batched) of `name` after event `seq`. */
const cameOrWentAfter = (c: TestClient, name: string, seq: number): Frame[] =>
  c.frames.filter(
    (f) =>
      (f['seq'] as number) > seq &&
      f['replay'] !== true &&
      (((f.type === 'join' || f.type === 'leave') && f['name'] === name) ||
        (f.type === 'joins' && (f['names'] as string[]).includes(name))),
  );

/** Asks for the member list and returns the answer. */
async function who(c: TestClient): Promise<{ names: string[]; total: number }> {
  c.send({ type: 'who' });
  const users = await c.next('users', () => true, WAIT_MS);
  return { names: [...(users['names'] as string[])].sort(), total: users['total'] as number };
}

/** `say` and wait for its echo on the sender: the event is in the room. */
async function say(c: TestClient, text: string, id: string): Promise<Frame> {
  c.send({ type: 'say', text, id });
  return c.next('message', (f) => f['id'] === id, WAIT_MS);
}

/** Waits until `c` has a live message with `text`. */
const sees = (c: TestClient, text: string, timeoutMs = WAIT_MS): Promise<void> =>
  c.until((frames) => frames.some((f) => f.type === 'message' && f['text'] === text), timeoutMs);

describe.skipIf(skip !== undefined)('several servers on one Redis', () => {
  it('delivers every event to every client on every server, in one seq order', async () => {
    const { servers, logs } = await start(2);
    const [a, b] = [servers[0]!, servers[1]!];
    const ann = await json(a.port, 'ann');
    const bob = await json(b.port, 'bob');
    const cy = await plain(a.port, 'cy');
    const dee = await json(b.port, 'dee');
    const N = 5;
    // Everyone at once, on both servers: one order must come out of it.
    for (let i = 0; i < N; i++) {
      ann.client.send({ type: 'say', text: `ann ${i}`, id: `a${i}` });
      bob.client.send({ type: 'say', text: `bob ${i}`, id: `b${i}` });
      cy.write(`cy ${i}\n`);
    }
    const total = 3 * N;
    for (const c of [ann.client, bob.client, dee.client])
      await c.until(
        (frames) => frames.filter((f) => f.type === 'message').length >= total,
        WAIT_MS,
      );
    const cyLines: string[] = [];
    while (cyLines.length < total)
      cyLines.push(await cy.nextLine((l) => /^\[\d\d:\d\d\] <\w+> /.test(l), WAIT_MS));

    const order = (c: TestClient) => messages(c).map((f) => [f['seq'], f['from'], f['text']]);
    const seen = order(ann.client);
    expect(seen, logs()).toHaveLength(total);
    expect(order(bob.client)).toEqual(seen);
    expect(order(dee.client)).toEqual(seen);
    // The netcat user on A reads the same messages in the same order.
    expect(cyLines.map((l) => /<(\w+)> (.*)$/.exec(l)!.slice(1))).toEqual(
      seen.map(([, from, text]) => [from, text]),
    );
    // Each sender's own messages keep the order it sent them in.
    for (const who of ['ann', 'bob', 'cy'])
      expect(seen.filter(([, from]) => from === who).map(([, , text]) => text)).toEqual(
        Array.from({ length: N }, (_, i) => `${who} ${i}`),
      );
    // Every seq after a client's welcome arrives once, in order, with no gap: no server numbers
    // events itself, and the same seq is the same event everywhere.
    const bySeq = new Map<number, string>();
    for (const { client, welcome } of [ann, bob, dee]) {
      const events = liveEvents(client.frames);
      const seqs = events.map((e) => e.seq);
      const first = (welcome['seq'] as number) + 1;
      expect(seqs, `seqs seen by ${String(welcome['name'])}`).toEqual(
        Array.from({ length: seqs.length }, (_, i) => first + i),
      );
      for (const e of events) {
        const known = bySeq.get(e.seq);
        if (known !== undefined) expect(e.identity, `seq ${e.seq}`).toBe(known);
        bySeq.set(e.seq, e.identity);
      }
    }
  }, 30_000);

  it('gives a name to one client when two servers are asked for it at once, look-alikes included', async () => {
    const { servers, logs } = await start(2);
    const [a, b] = [servers[0]!, servers[1]!];
    for (const name of ['dora', 'eve', 'fay', 'gus', 'hal']) {
      const [x, y] = await Promise.all([raw(a.port), raw(b.port)]);
      x.send({ type: 'hello', protocol: 1, name });
      y.send({ type: 'hello', protocol: 1, name });
      const got = await Promise.all([outcome(x), outcome(y)]);
      const welcomes = got.filter((f) => f.type === 'welcome');
      const refused = got.filter((f) => f.type === 'error');
      expect(welcomes, `${name}: ${JSON.stringify(got)}\n${logs()}`).toHaveLength(1);
      expect(refused.map((f) => f['code'])).toEqual(['name_taken']);
    }
    // A look-alike of a name held on the other server, and the same name in other case.
    const { client: ann } = await json(a.port, 'ann');
    for (const name of ['\u0430nn', 'ANN']) {
      const c = await raw(b.port);
      c.send({ type: 'hello', protocol: 1, name });
      const got = await outcome(c);
      expect(got['code'], `${name}: ${JSON.stringify(got)}`).toBe('name_taken');
    }
    // A rename to a name held on the other server.
    const { client: bob } = await json(b.port, 'bob');
    bob.send({ type: 'nick', name: 'ann' });
    expect((await bob.next('error', () => true, WAIT_MS))['code']).toBe('name_taken');
    // Once its holder leaves, the name is free on the other server.
    ann.send({ type: 'bye' });
    await bob.next('leave', (f) => f['name'] === 'ann', WAIT_MS);
    const again = await raw(b.port);
    again.send({ type: 'hello', protocol: 1, name: 'ann' });
    expect((await outcome(again)).type).toBe('welcome');
  }, 30_000);

  it('lets a client reclaim its name on another server with its token: replaced, no leave or join, nothing missed, nothing doubled', async () => {
    const { servers, logs } = await start(2);
    const [a, b] = [servers[0]!, servers[1]!];
    const { client: ann, welcome } = await json(a.port, 'ann');
    const { client: bob } = await json(b.port, 'bob');
    const { client: cy } = await json(a.port, 'cy');
    const mine = await say(ann, 'before', 'ann-1');
    const since = mine['seq'] as number;
    // What ann misses while its connection to A is (as far as it knows) gone.
    await say(bob, 'missed 1', 'bob-1');
    await say(bob, 'missed 2', 'bob-2');

    const ann2 = await raw(b.port);
    ann2.send({
      type: 'hello',
      protocol: 1,
      name: 'ann',
      token: welcome['token'],
      since,
      epoch: welcome['epoch'],
    });
    const back = await outcome(ann2);
    expect(back, logs()).toMatchObject({ type: 'welcome', name: 'ann', epoch: welcome['epoch'] });
    await ann2.next('history_end', () => true, WAIT_MS);
    const replayed = messages(ann2, true);
    expect(replayed.map((f) => f['text'])).toEqual(['missed 1', 'missed 2']);
    expect(replayed.every((f) => (f['seq'] as number) > since)).toBe(true);
    // The stale connection on A is told and closed.
    const replaced = await ann.next('error', (f) => f['code'] === 'replaced', WAIT_MS);
    expect(replaced['fatal']).toBe(true);
    await ann.waitClosed(WAIT_MS);

    // A resent id is answered, not sent again (its dedupe window crossed servers too).
    ann2.send({ type: 'say', text: 'before', id: 'ann-1' });
    const answer = await ann2.nextLine(
      (l) => /"type":"(message|delivered)"/.test(l) && l.includes('"ann-1"'),
      WAIT_MS,
    );
    expect((JSON.parse(answer) as Frame)['seq']).toBe(since);
    await say(ann2, 'back', 'ann-2');
    await say(bob, 'welcome back', 'bob-3');
    await sees(ann2, 'welcome back');
    for (const c of [bob, cy]) {
      await sees(c, 'back');
      await sees(c, 'welcome back');
      // (ann's own join may reach a later member live, batched: only what follows counts.)
      expect(cameOrWentAfter(c, 'ann', since)).toEqual([]);
      expect(texts(c).filter((t) => t === 'before')).toHaveLength(1);
    }
    const list = await who(cy);
    expect(list.names.filter((n) => n === 'ann')).toHaveLength(1);
    expect(list.total).toBe(3);
  }, 30_000);

  it('lists the members of every server in who and in the welcome', async () => {
    const { servers } = await start(2);
    const [a, b] = [servers[0]!, servers[1]!];
    const { client: ann } = await json(a.port, 'ann');
    const { client: bob } = await json(b.port, 'bob');
    const { client: cy } = await json(b.port, 'cy');
    expect(await who(ann)).toEqual({ names: ['ann', 'bob', 'cy'], total: 3 });
    expect(await who(bob)).toEqual({ names: ['ann', 'bob', 'cy'], total: 3 });
    const { welcome } = await json(a.port, 'dee');
    expect([...(welcome['users'] as string[])].sort()).toEqual(['ann', 'bob', 'cy', 'dee']);
    expect(welcome['userCount']).toBe(4);
    cy.send({ type: 'bye' });
    await ann.next('leave', (f) => f['name'] === 'cy', WAIT_MS);
    expect(await who(ann)).toEqual({ names: ['ann', 'bob', 'dee'], total: 3 });
  }, 30_000);

  it('announces each member of a SIGKILLed server leaving once, on every other server, within 10 s', async () => {
    const { servers, logs } = await start(3);
    const [a, b, c] = [servers[0]!, servers[1]!, servers[2]!];
    const { client: ann, welcome } = await json(a.port, 'ann');
    const { client: cy } = await json(a.port, 'cy');
    const { client: bob } = await json(b.port, 'bob');
    const { client: dee } = await json(c.port, 'dee');
    const ready = await say(dee, 'ready', 'dee-1');
    await sees(bob, 'ready');
    await sees(ann, 'ready');
    expect((await who(bob)).total).toBe(4);

    const killedAt = Date.now();
    await a.kill();
    for (const observer of [bob, dee]) {
      await observer.until(
        () => leavesOf(observer, 'ann').length > 0 && leavesOf(observer, 'cy').length > 0,
        DEAD_SERVER_LEAVE_MS + 2_000,
      );
      expect(Date.now() - killedAt, logs()).toBeLessThan(DEAD_SERVER_LEAVE_MS);
    }
    // A message from each survivor after the leaves: a second leave announced by then would
    // be before it (every server fans out in seq order).
    await say(bob, 'after 1', 'bob-1');
    await say(dee, 'after 2', 'dee-2');
    for (const observer of [bob, dee]) {
      await sees(observer, 'after 1');
      await sees(observer, 'after 2');
      for (const name of ['ann', 'cy']) {
        const leaves = leavesOf(observer, name);
        expect(leaves, `${name}'s leaves\n${logs()}`).toHaveLength(1);
        expect(leaves[0]!['reason']).toBe('error');
      }
      expect(await who(observer)).toEqual({ names: ['bob', 'dee'], total: 2 });
    }
    await ann.waitClosed(WAIT_MS);
    await cy.waitClosed(WAIT_MS);

    // ann's client goes to another server with its token: same name, nothing missed.
    const ann2 = await raw(b.port);
    ann2.send({
      type: 'hello',
      protocol: 1,
      name: 'ann',
      token: welcome['token'],
      since: ready['seq'],
      epoch: welcome['epoch'],
    });
    expect(await outcome(ann2)).toMatchObject({
      type: 'welcome',
      name: 'ann',
      epoch: welcome['epoch'],
    });
    await ann2.next('history_end', () => true, WAIT_MS);
    expect(texts(ann2, true)).toEqual(['after 1', 'after 2']);
    // A name nobody holds any more is free again (no ghost holds it).
    const cy2 = await raw(c.port);
    cy2.send({ type: 'hello', protocol: 1, name: 'cy' });
    expect((await outcome(cy2)).type).toBe('welcome');
  }, 40_000);

  it('keeps its clients through a Redis restart: notice, unavailable, then resumes with nothing lost and seqs going on', async () => {
    const { redis, servers, logs } = await start(2);
    const [a, b] = [servers[0]!, servers[1]!];
    const { client: ann, welcome } = await json(a.port, 'ann');
    const { client: bob } = await json(b.port, 'bob');
    await say(ann, 'one', 'ann-1');
    await say(bob, 'two', 'bob-1');
    await sees(ann, 'two');
    await sees(bob, 'one');
    const seenBefore = Math.max(
      ...[ann, bob].flatMap((c) => liveEvents(c.frames).map((e) => e.seq)),
    );

    await redis.kill();
    for (const c of [ann, bob]) await c.next('notice', () => true, WAIT_MS);
    ann.send({ type: 'say', text: 'during', id: 'ann-2' });
    expect(await ann.next('error', (f) => f['id'] === 'ann-2', WAIT_MS)).toMatchObject({
      code: 'unavailable',
    });
    bob.send({ type: 'dm', to: 'ann', text: 'psst', id: 'bob-2' });
    const dmRefused = await bob.next('error', (f) => f['id'] === 'bob-2', WAIT_MS);
    expect(dmRefused['code']).toBe('unavailable');
    bob.send({ type: 'nick', name: 'robert' });
    expect((await bob.next('error', () => true, WAIT_MS))['code']).toBe('unavailable');
    const newcomer = await raw(b.port);
    newcomer.send({ type: 'hello', protocol: 1, name: 'cy' });
    const refused = await outcome(newcomer);
    expect(refused['code'], logs()).toBe('unavailable');
    for (const f of [dmRefused, refused]) expect(f['fatal']).toBeUndefined();
    expect([ann.closed, bob.closed, newcomer.closed]).toEqual([false, false, false]);

    await redis.restart();
    // The client retries the same id until the room takes it (what the TUI's outbox does).
    const echo = await retryUntilEchoed(ann, { type: 'say', text: 'during', id: 'ann-2' });
    expect(echo['seq'], logs()).toBeGreaterThan(seenBefore);
    await sees(bob, 'during');
    const onBob = messages(bob).filter((f) => f['id'] === 'ann-2');
    expect(onBob.map((f) => f['seq'])).toEqual([echo['seq']]);
    // Each server reconnects on its own: B may come back a moment after A.
    await retryUntilEchoed(bob, { type: 'say', text: 'three', id: 'bob-3' });
    await sees(ann, 'three');
    // Live seqs never went back on either connection.
    for (const c of [ann, bob]) {
      const seqs = liveEvents(c.frames)
        .filter((e) => !e.identity.includes('"ann-2"'))
        .map((e) => e.seq);
      expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
      expect(new Set(seqs).size).toBe(seqs.length);
    }
    // Same epoch; the history still has everything anyone saw, under the same seqs.
    newcomer.send({ type: 'hello', protocol: 1, name: 'cy' });
    const seated = await outcome(newcomer);
    expect(seated).toMatchObject({ type: 'welcome', epoch: welcome['epoch'] });
    // The empty Redis learnt again who is here: names stay unique and everyone is listed.
    const impostor = await raw(a.port);
    impostor.send({ type: 'hello', protocol: 1, name: 'bob' });
    expect((await outcome(impostor))['code']).toBe('name_taken');
    expect(await who(newcomer)).toEqual({ names: ['ann', 'bob', 'cy'], total: 3 });
    // Read from a server that was running (its own copy) and from one started after the
    // restart, which has only what the servers wrote back into the empty Redis.
    const late = await startCiaoOnRedis(redis.url);
    cluster!.servers.push(late);
    for (const port of [a.port, late.port]) {
      const log = await readLog(port);
      for (const c of [ann, bob])
        for (const e of liveEvents(c.frames))
          expect(log.seen.get(e.seq), `seq ${e.seq} from ${port}`).toBe(e.identity);
      for (const text of ['one', 'two', 'during', 'three'])
        expect(
          [...log.seen.values()].filter((v) => v.includes(JSON.stringify(text))),
          text,
        ).toHaveLength(1);
      expect(log.byId.get('ann-2')).toEqual([echo['seq']]);
    }
  }, 40_000);
});

/**
 * Sends `frame` (a `say` with an id) until its echo arrives: `unavailable` means Redis is not
 * back yet. Bounded: 15 s.
 */
async function retryUntilEchoed(c: TestClient, frame: Record<string, unknown>): Promise<Frame> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    c.send(frame);
    const line = await c.nextLine(
      (l) => l.includes(JSON.stringify(frame['id'])) && /"type":"(message|error)"/.test(l),
      Math.max(1, deadline - Date.now()),
    );
    const got = JSON.parse(line) as Frame;
    if (got.type === 'message') return got;
    if (got['code'] !== 'unavailable') throw new Error(`resend refused: ${line}`);
    // Not back yet. A client's retry pause (as the TUI's backoff), not a wait for an event:
    // the deadline above bounds the whole.
    await new Promise((r) => setTimeout(r, 100));
  }
}
