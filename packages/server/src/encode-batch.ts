import type { JoinEvent, JoinsFrame } from '@ciao/protocol';
import type { HistoryEntry } from './room.js';

/**
 * A flush's broadcast batch as the one Buffer written to every member. A run of two or more
 * joins with consecutive seqs (a storm's batch) becomes one `joins` frame (PROTOCOL.md), or
 * for plain-text sessions one folded line; everything else is its own cached encoding. The
 * bytes are made here, once per batch, from the cached strings (see `HistoryEntry.json`).
 */
export function encodeBatch(
  batch: readonly HistoryEntry[],
  encode: (entry: HistoryEntry) => string,
  encodeJoins: (frame: JoinsFrame) => string,
): Buffer {
  if (batch.length === 1) return Buffer.from(encode(batch[0]!), 'utf8');
  const parts: string[] = [];
  for (let i = 0; i < batch.length;) {
    const end = joinRunEnd(batch, i);
    if (end - i < 2) {
      parts.push(encode(batch[i++]!));
      continue;
    }
    const first = batch[i]!.event;
    const names = batch.slice(i, end).map((e) => (e.event as JoinEvent).name);
    parts.push(encodeJoins({ type: 'joins', seq: first.seq, ts: first.ts, names }));
    i = end;
  }
  return Buffer.from(parts.join(''), 'utf8');
}

/** Where the run of joins with consecutive seqs that starts at `start` ends. */
function joinRunEnd(batch: readonly HistoryEntry[], start: number): number {
  const seq = batch[start]!.event.seq;
  let end = start;
  while (
    end < batch.length &&
    batch[end]!.event.type === 'join' &&
    batch[end]!.event.seq === seq + (end - start)
  )
    end++;
  return end;
}
