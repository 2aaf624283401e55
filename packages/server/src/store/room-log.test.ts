import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeFrame } from '@ciao/protocol';
import { MemoryLog } from './memory-log.js';
import type { RoomLog } from './room-log.js';
import { SqliteLog } from './sqlite-log.js';

const dirs: string[] = [];
const open: RoomLog[] = [];
afterEach(() => {
  for (const log of open.splice(0)) log.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ciao-log-'));
  dirs.push(dir);
  return join(dir, 'room.db');
}

function track<L extends RoomLog>(log: L): L {
  open.push(log);
  return log;
}

const kinds: [string, () => RoomLog][] = [
  ['memory', () => track(new MemoryLog({ historySize: 100 }))],
  ['sqlite', () => track(new SqliteLog({ file: tempFile(), retention: { count: 100 } }))],
];

describe.each(kinds)('%s log', (_kind, make) => {
  it('numbers events from 1, in order, with its own clock', () => {
    const log = make();
    expect(log.head()).toBe(0);
    const a = log.append({ type: 'join', name: 'ann' });
    const b = log.append({ type: 'message', from: 'ann', text: 'hi' });
    expect(a.kind === 'appended' && a.entry.event.seq).toBe(1);
    expect(b.kind === 'appended' && b.entry.event).toMatchObject({ seq: 2, text: 'hi' });
    expect(b.kind === 'appended' && typeof b.entry.event.ts).toBe('number');
    expect(log.head()).toBe(2);
  });

  it('writes seq and ts right after type, as on the wire since v1', () => {
    const log = make();
    const r = log.append({ type: 'message', from: 'ann', text: 'hi', id: 'x' });
    const line = r.kind === 'appended' ? encodeFrame(r.entry.event).toString() : '';
    expect(line).toMatch(
      /^\{"type":"message","seq":1,"ts":\d+,"from":"ann","text":"hi","id":"x"\}\n$/,
    );
  });

  it('checks an id against the sender window and appends in one step, keeping id -> seq', () => {
    const log = make();
    const ann = log.createIdentity('tok-ann');
    const bob = log.createIdentity('tok-bob');
    const draft = { type: 'message', from: 'ann', text: 'once', id: 'x' } as const;
    const first = log.append(draft, undefined, { identity: ann.id, id: 'x' });
    expect(first.kind).toBe('appended');
    expect(log.append(draft, undefined, { identity: ann.id, id: 'x' })).toEqual({
      kind: 'duplicate',
      seq: 1,
    });
    expect(log.duplicateOf({ identity: ann.id, id: 'x' })).toBe(1);
    // The same id from someone else is theirs.
    expect(log.append(draft, undefined, { identity: bob.id, id: 'x' }).kind).toBe('appended');
    expect(log.head()).toBe(2);
  });

  it('scans back newest first between bounds, and reads one event by seq', () => {
    const log = make();
    for (let i = 1; i <= 10; i++) log.append({ type: 'message', from: 'ann', text: `m${i}` });
    const seqs = (before: number, after: number) =>
      Array.from(log.scanBack(before, after), (e) => e.event.seq);
    expect(seqs(Infinity, 0)).toEqual([10, 9, 8, 7, 6, 5, 4, 3, 2, 1]);
    expect(seqs(6, 2)).toEqual([5, 4, 3]);
    expect(seqs(3, 2)).toEqual([]);
    expect(log.get(4)?.event).toMatchObject({ seq: 4, text: 'm4' });
    expect(log.get(11)).toBeUndefined();
  });

  it('keeps the ends of a dm', () => {
    const log = make();
    log.append({ type: 'dm', from: 'ann', to: 'bob', text: 'psst' }, [3, 4]);
    expect([...log.scanBack(Infinity, 0)][0]!.ends).toEqual([3, 4]);
  });

  it('gives a name to one holder at a time, and takes it back only from its holder', () => {
    const log = make();
    expect(log.claimName('ann', 1)).toBe(1);
    expect(log.claimName('ann', 2)).toBe(1);
    expect(log.claimName('ann', 1)).toBe(1);
    log.releaseName('ann', 2);
    expect(log.claimName('ann', 2)).toBe(1);
    log.releaseName('ann', 1);
    expect(log.claimName('ann', 2)).toBe(2);
  });

  it('finds an identity by its token, and never another', () => {
    const log = make();
    const ann = log.createIdentity('tok-ann');
    expect(log.findIdentity('tok-ann')).toEqual(ann);
    expect(log.findIdentity('tok-nobody')).toBeUndefined();
    expect(log.createIdentity('tok-bob').id).not.toBe(ann.id);
  });
});

describe('sqlite log across a restart', () => {
  it('continues seqs, keeps the epoch, history, identities and their dedupe windows', () => {
    const file = tempFile();
    const first = new SqliteLog({ file, retention: { count: 1000 } });
    const ann = first.createIdentity('tok-ann');
    first.append({ type: 'message', from: 'ann', text: 'a', id: 'x' }, undefined, {
      identity: ann.id,
      id: 'x',
    });
    first.append({ type: 'dm', from: 'ann', to: 'ann', text: 'note' }, [ann.id, ann.id]);
    first.commit();
    const epoch = first.epoch;
    first.close();

    const again = track(new SqliteLog({ file, retention: { count: 1000 } }));
    expect(again.epoch).toBe(epoch);
    expect(again.head()).toBe(2);
    const back = again.findIdentity('tok-ann');
    expect(back?.id).toBe(ann.id);
    expect(again.duplicateOf({ identity: ann.id, id: 'x' })).toBe(1);
    expect(again.get(2)).toMatchObject({ event: { text: 'note' }, ends: [ann.id, ann.id] });
    const next = again.append({ type: 'join', name: 'bob' });
    expect(next.kind === 'appended' && next.entry.event.seq).toBe(3);
  });

  it('refuses a second log on the same file while the first is open', () => {
    const file = tempFile();
    track(new SqliteLog({ file, retention: { count: 10 } }));
    expect(() => new SqliteLog({ file, retention: { count: 10 } })).toThrow(
      expect.objectContaining({ code: 'SQLITE_BUSY' }),
    );
  });

  it('keeps the head when retention has removed every event, and makes a new epoch for new data', () => {
    const file = tempFile();
    const first = new SqliteLog({ file, retention: { count: 2 } });
    for (let i = 0; i < 5; i++) first.append({ type: 'join', name: `u${i}` });
    first.commit();
    const epoch = first.epoch;
    first.close();
    let t = Date.now() + 3_600_000;
    const later = new SqliteLog({ file, retention: { ageMs: 60_000 }, now: () => t++ });
    expect(Array.from(later.scanBack(Infinity, 0))).toEqual([]);
    expect(later.head()).toBe(5);
    later.close();
    // Nothing is left in the file to count from: the head was kept beside the events.
    const empty = track(new SqliteLog({ file, retention: { ageMs: 60_000 }, now: () => t++ }));
    expect(empty.head()).toBe(5);
    const next = empty.append({ type: 'join', name: 'back' });
    expect(next.kind === 'appended' && next.entry.event.seq).toBe(6);
    expect(track(new SqliteLog({ file: tempFile(), retention: {} })).epoch).not.toBe(epoch);
  });

  it('reads across what it keeps in memory and what only the file has, before and after a restart', () => {
    const file = tempFile();
    const all = Array.from({ length: 1500 }, (_, i) => 1500 - i);
    const first = new SqliteLog({ file, retention: { count: 10_000 } });
    for (let i = 0; i < 1500; i++) first.append({ type: 'join', name: `u${i}` });
    expect(Array.from(first.scanBack(Infinity, 0), (e) => e.event.seq)).toEqual(all);
    expect(Array.from(first.scanBack(503, 497), (e) => e.event.seq)).toEqual([
      502, 501, 500, 499, 498,
    ]);
    expect(first.get(3)?.event).toMatchObject({ seq: 3, name: 'u2' });
    first.close();
    const again = track(new SqliteLog({ file, retention: { count: 10_000 } }));
    expect(Array.from(again.scanBack(Infinity, 0), (e) => e.event.seq)).toEqual(all);
    again.append({ type: 'join', name: 'late' });
    expect(Array.from(again.scanBack(Infinity, 1498), (e) => e.event.seq)).toEqual([
      1501, 1500, 1499,
    ]);
  });

  it('forgets from memory too what retention removes while it runs', () => {
    let t = 1_000_000;
    const log = track(new SqliteLog({ file: tempFile(), retention: { count: 5 }, now: () => t }));
    for (let i = 0; i < 10; i++) log.append({ type: 'join', name: `u${i}` });
    t += 60_000;
    log.commit();
    expect(Array.from(log.scanBack(Infinity, 0), (e) => e.event.seq)).toEqual([10, 9, 8, 7, 6]);
    expect(log.get(5)).toBeUndefined();
  });

  it('trims to the newest count when it opens', () => {
    const file = tempFile();
    const first = new SqliteLog({ file, retention: { count: 1000 } });
    for (let i = 0; i < 10; i++) first.append({ type: 'join', name: `u${i}` });
    first.close();
    const trimmed = track(new SqliteLog({ file, retention: { count: 3 } }));
    expect(Array.from(trimmed.scanBack(Infinity, 0), (e) => e.event.seq)).toEqual([10, 9, 8]);
  });
});
