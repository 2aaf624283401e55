import { describe, expect, it } from 'vitest';
import type { ChatEvent, JoinsFrame } from '@ciao/protocol';
import { encodeFrameString, renderPlain } from '@ciao/protocol';
import { encodeBatch } from './encode-batch.js';
import type { HistoryEntry } from './room.js';

const json = (e: HistoryEntry): string => encodeFrameString(e.event);
const plain = (frame: ChatEvent | JoinsFrame): string =>
  renderPlain(frame, { formatTime: () => '12:00' }).join('\n') + '\n';

function entries(...events: [ChatEvent['type'], string][]): HistoryEntry[] {
  return events.map(([type, name], i) => {
    const base = { seq: 10 + i, ts: 5 };
    const event: ChatEvent =
      type === 'join'
        ? { type, ...base, name }
        : type === 'leave'
          ? { type, ...base, name, reason: 'quit' }
          : { type: 'message', ...base, from: name, text: 'hi' };
    return { event };
  });
}

function lines(buf: Buffer): unknown[] {
  return buf
    .toString()
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l) as unknown);
}

describe('encodeBatch', () => {
  it('sends a run of joins as one joins frame and the rest frame by frame, in seq order', () => {
    const batch = entries(
      ['message', 'ann'],
      ['join', 'bob'],
      ['join', 'cy'],
      ['join', 'dee'],
      ['leave', 'ann'],
      ['join', 'eve'],
    );
    expect(lines(encodeBatch(batch, json, encodeFrameString))).toEqual([
      { type: 'message', seq: 10, ts: 5, from: 'ann', text: 'hi' },
      { type: 'joins', seq: 11, ts: 5, names: ['bob', 'cy', 'dee'] },
      { type: 'leave', seq: 14, ts: 5, name: 'ann', reason: 'quit' },
      { type: 'join', seq: 15, ts: 5, name: 'eve' },
    ]);
  });

  it('folds a storm into one plain-text line', () => {
    const names = Array.from({ length: 50 }, (_, i) => `u${i}`);
    const batch = entries(['message', 'ann'], ...names.map((n): ['join', string] => ['join', n]));
    const text = encodeBatch(batch, (e) => plain(e.event), plain).toString();
    expect(text).toBe('[12:00] <ann> hi\n[12:00] -> u0, u1 and 48 others joined\n');
  });

  it('keeps joins whose seqs are not consecutive apart', () => {
    const [a, b] = entries(['join', 'ann'], ['join', 'bob']);
    const gap: HistoryEntry = { event: { ...b!.event, seq: 20 } };
    expect(lines(encodeBatch([a!, gap], json, encodeFrameString))).toHaveLength(2);
  });
});
