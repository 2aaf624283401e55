import { describe, expect, it } from 'vitest';
import type { HistoryEntry, RoomSink } from './room.js';
import { Room } from './room.js';
import { MemoryLog } from './store/memory-log.js';

type Conn = { id: string };

function setup(historySize = 1000) {
  const broadcasts: HistoryEntry[] = [];
  const delivered: [string, HistoryEntry][] = [];
  const sink: RoomSink<Conn> = {
    broadcast: (e) => broadcasts.push(e),
    deliver: (c, e) => delivered.push([c.id, e]),
  };
  let t = 1000;
  let tok = 0;
  const log = new MemoryLog({ historySize, now: () => t++ });
  const room = new Room<Conn>({ log, newToken: () => `tok${++tok}` }, sink);
  const join = (name: string) => {
    const r = room.register(name, { id: name });
    if (!r.ok) throw new Error(r.message);
    room.announceJoin(r.member);
    return r.member;
  };
  return { room, broadcasts, delivered, join };
}

describe('Room', () => {
  it('numbers events from 1 and broadcasts joins, messages and leaves', () => {
    const { room, broadcasts, join } = setup();
    const alice = join('alice');
    room.say(alice, 'hello', 'm1');
    room.leave(alice, 'quit');
    expect(broadcasts.map((e) => [e.event.seq, e.event.type])).toEqual([
      [1, 'join'],
      [2, 'message'],
      [3, 'leave'],
    ]);
    expect(broadcasts[1]!.event).toMatchObject({ from: 'alice', text: 'hello', id: 'm1' });
    expect(broadcasts[2]!.event).toMatchObject({ name: 'alice', reason: 'quit' });
    expect(room.seq).toBe(3);
  });

  it('keeps names unique under the NFKC case-folded key', () => {
    const { room, join } = setup();
    join('Alice');
    for (const name of ['alice', 'ALICE', 'ＡＬＩＣＥ']) {
      const r = room.register(name, { id: name });
      expect(r.ok ? 'ok' : r.code).toBe('name_taken');
    }
    expect(room.find('ａｌｉｃｅ')?.name).toBe('Alice');
  });

  it('rejects invalid names as given, never fixing them', () => {
    const { room } = setup();
    for (const name of ['', ' alice', 'al ice', '-x', 'a\u001b[31m', 'x'.repeat(25), 'bob\u202e']) {
      const r = room.register(name, { id: 'x' });
      expect(r.ok ? 'ok' : r.code).toBe('name_invalid');
    }
  });

  it('lets the token of the member holding a name reclaim it, with no leave or join', () => {
    const { room, broadcasts, join } = setup();
    const alice = join('alice');
    const before = broadcasts.length;
    const wrong = room.register('alice', { id: 'new' }, 'nope');
    expect(wrong.ok ? 'ok' : wrong.code).toBe('name_taken');
    const r = room.register('alice', { id: 'new' }, alice.identity.token);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.replaced).toEqual({ id: 'alice' });
    expect(r.member).toBe(alice);
    expect(alice.conn).toEqual({ id: 'new' });
    expect(broadcasts.length).toBe(before);
    expect(room.size).toBe(1);
  });

  it('deduplicates ids per identity, across a reconnect with the token', () => {
    const { room, broadcasts, join } = setup();
    const alice = join('alice');
    const first = room.say(alice, 'once', 'id-1');
    const again = room.say(alice, 'once', 'id-1');
    expect(again.ok && again.duplicate).toBe(true);
    expect(again.ok && first.ok && again.entry).toBe(first.ok && first.entry);
    room.leave(alice, 'error');
    const back = room.register('alice', { id: 'again' }, alice.identity.token);
    expect(back.ok).toBe(true);
    if (!back.ok) return;
    expect(back.member.identity.id).toBe(alice.identity.id);
    const third = room.say(back.member, 'once', 'id-1');
    expect(third.ok && third.duplicate).toBe(true);
    expect(broadcasts.filter((e) => e.event.type === 'message')).toHaveLength(1);
    // Another member's identical id is its own.
    const bob = join('bob');
    const b = room.say(bob, 'mine', 'id-1');
    expect(b.ok && b.duplicate).toBe(false);
  });

  it('remembers only the last 1,024 ids, even when their events left the history', () => {
    const { room, join } = setup(10);
    const alice = join('alice');
    for (let i = 0; i < 1025; i++) room.say(alice, `m${i}`, `id${i}`);
    const seq = room.seq;
    for (const id of ['id1', 'id1024']) {
      const r = room.say(alice, 'again', id);
      expect(r.ok && r.duplicate).toBe(true);
    }
    expect(room.seq).toBe(seq);
    // The original of a recent id is still there to answer with; an old one's is only a seq.
    expect(room.duplicateOf(alice, 'id1024')).toMatchObject({
      kind: 'event',
      entry: { event: { text: 'm1024' } },
    });
    expect(room.duplicateOf(alice, 'id1')).toEqual({ kind: 'delivered', seq: 3 });
    const old = room.say(alice, 'again', 'id0');
    expect(old.ok && old.duplicate).toBe(false);
    expect(room.seq).toBe(seq + 1);
  });

  it('delivers a dm to both ends only and replays it only to them', () => {
    const { room, broadcasts, delivered, join } = setup();
    const alice = join('alice');
    const bob = join('bob');
    const carol = join('carol');
    const r = room.dm(alice, 'BOB', 'psst', 'd1');
    expect(r.ok).toBe(true);
    expect(delivered.map(([c]) => c)).toEqual(['alice', 'bob']);
    expect(delivered[0]![1].event).toMatchObject({ type: 'dm', from: 'alice', to: 'bob' });
    expect(broadcasts.some((e) => e.event.type === 'dm')).toBe(false);
    const seen = (m: typeof alice) =>
      room.history(m, Infinity, 100).entries.some((e) => e.event.type === 'dm');
    expect([seen(alice), seen(bob), seen(carol)]).toEqual([true, true, false]);
    const none = room.dm(alice, 'dave', 'hi', 'd2');
    expect(none.ok ? 'ok' : none.code).toBe('no_such_user');
  });

  it('keeps a dm visible to its ends after a rename', () => {
    const { room, join } = setup();
    const alice = join('alice');
    const bob = join('bob');
    room.dm(alice, 'bob', 'psst');
    room.nick(bob, 'robert');
    expect(room.history(bob, Infinity, 10).entries.some((e) => e.event.type === 'dm')).toBe(true);
  });

  it('renames members, allows a change of case, refuses a taken name', () => {
    const { room, broadcasts, join } = setup();
    const alice = join('alice');
    join('bob');
    const taken = room.nick(alice, 'Bob');
    expect(taken.ok ? 'ok' : taken.code).toBe('name_taken');
    const bad = room.nick(alice, 'a b');
    expect(bad.ok ? 'ok' : bad.code).toBe('name_invalid');
    expect(room.nick(alice, 'Alice').ok).toBe(true);
    expect(broadcasts.at(-1)!.event).toMatchObject({ type: 'nick', from: 'alice', to: 'Alice' });
    const same = room.nick(alice, 'Alice');
    expect(same.ok && same.entry).toBeUndefined();
    expect(room.find('alice')?.name).toBe('Alice');
  });

  it('answers history with the latest events before a seq, oldest first, and whether more exist', () => {
    const { room, join } = setup(50);
    const alice = join('alice'); // seq 1
    for (let i = 2; i <= 80; i++) room.say(alice, `m${i}`);
    // Only the last 50 (31..80) are kept.
    const page = room.history(alice, 60, 10);
    expect(page.entries.map((e) => e.event.seq)).toEqual([50, 51, 52, 53, 54, 55, 56, 57, 58, 59]);
    expect(page.more).toBe(true);
    const oldest = room.history(alice, 35, 10);
    expect(oldest.entries.map((e) => e.event.seq)).toEqual([31, 32, 33, 34]);
    expect(oldest.more).toBe(false);
    const since = room.history(alice, Infinity, Infinity, 75);
    expect(since.entries.map((e) => e.event.seq)).toEqual([76, 77, 78, 79, 80]);
    expect(since.more).toBe(false);
  });

  it('replays every held event after since, and says when some were no longer held', () => {
    const { room, join } = setup(50);
    const alice = join('alice'); // seq 1
    for (let i = 2; i <= 80; i++) room.say(alice, `m${i}`);
    const since = room.replay(alice, 75);
    expect(since.entries.map((e) => e.event.seq)).toEqual([76, 77, 78, 79, 80]);
    expect(since.more).toBe(false);
    expect(room.replay(alice, 30).entries).toHaveLength(50);
    expect(room.replay(alice, 30).more).toBe(false);
    const gap = room.replay(alice, 29);
    expect(gap.entries[0]?.event.seq).toBe(31);
    expect(gap.more).toBe(true);
    expect(room.replay(alice, 80)).toEqual({ entries: [], more: false });
  });

  it('refuses invisible names and names that look like a present one, naming it', () => {
    const { room, join } = setup();
    join('alice');
    join('AB');
    for (const name of ['\u3164', 'a\u3164b', '\u2800', 'e\u0301\u0301\u0301']) {
      const r = room.register(name, { id: name });
      expect(r.ok ? 'ok' : r.code).toBe('name_invalid');
    }
    for (const name of ['\u0430lice', '\u0251lice', '\u0391\u0392']) {
      const r = room.register(name, { id: name });
      expect(r.ok ? 'ok' : r.code).toBe('name_taken');
      if (!r.ok) expect(r.message).toMatch(/looks like (alice|AB)/);
    }
    const bob = join('bob');
    const renamed = room.nick(bob, '\u0430lice');
    expect(renamed.ok ? 'ok' : renamed.code).toBe('name_taken');
    expect(room.register('e\u0301\u0301', { id: 'e' }).ok).toBe(true);
  });

  it('sanitises text before anyone sees it and checks its length', () => {
    const { room, join } = setup();
    const alice = join('alice');
    const r = room.say(alice, 'hi\u001b[2J\u001b]0;pwned\u0007\tthere\u202e!');
    expect(r.ok && r.entry?.event).toMatchObject({ text: 'hi there!' });
    const empty = room.say(alice, '\u001b[0m');
    expect(empty.ok ? 'ok' : empty.code).toBe('text_empty');
    const long = room.say(alice, '😀'.repeat(4097));
    expect(long.ok ? 'ok' : long.code).toBe('text_too_long');
    expect(room.say(alice, '😀'.repeat(4096)).ok).toBe(true);
  });

  it('refuses a name the log says someone else holds (another server sharing it), on hello and nick', () => {
    const log = new MemoryLog({ historySize: 10 });
    const room = new Room<Conn>({ log }, { broadcast: () => {}, deliver: () => {} });
    log.claimName('bob', 999);
    const r = room.register('Bob', { id: 'b' });
    expect(r.ok ? 'ok' : r.code).toBe('name_taken');
    const ann = room.register('ann', { id: 'a' });
    if (!ann.ok) throw new Error(ann.message);
    const n = room.nick(ann.member, 'bob');
    expect(n.ok ? 'ok' : n.code).toBe('name_taken');
    // A nick gives the old name back; a leave gives the current one back.
    expect(room.nick(ann.member, 'cy').ok).toBe(true);
    expect(log.claimName('ann', 5)).toBe(5);
    room.leave(ann.member, 'quit');
    expect(log.claimName('cy', 6)).toBe(6);
  });

  it('forgets the oldest departed identities beyond the cap, none within 10 minutes of leaving', () => {
    let t = 0;
    const room = new Room<Conn>(
      { log: new MemoryLog({ historySize: 10, maxIdentities: 2, now: () => t }) },
      { broadcast: () => {}, deliver: () => {} },
    );
    const tokens = new Map<string, string>();
    const visit = (name: string, token?: string) => {
      const r = room.register(name, { id: name }, token);
      if (!r.ok) throw new Error(r.message);
      tokens.set(name, r.member.identity.token);
      room.leave(r.member, 'quit');
      return r.member.identity.token;
    };
    for (const name of ['a', 'b', 'c']) visit(name);
    // Three over a cap of two, but all left just now: every token still restores its identity.
    const a = tokens.get('a');
    expect(visit('a', a)).toBe(a);
    t += 11 * 60_000;
    visit('d');
    // Now the oldest that left over 10 minutes ago go, down to the cap.
    const [b, d] = [tokens.get('b'), tokens.get('d')];
    expect(visit('b', b)).not.toBe(b);
    expect(visit('d', d)).toBe(d);
  });
});
