import type { JoinEvent, JoinsFrame } from '@ciao/protocol';
import type { HistoryEntry } from './room.js';

/**
 * A flush's broadcast batch as the one Buffer written to every member. A run of two or more
 * joins with consecutive seqs (a storm's batch) becomes one `joins` frame (PROTOCOL.md), or
 * for plain-text sessions one folded line; everything else is its own cached encoding.
 */
export function encodeBatch(
  batch: readonly HistoryEntry[],
  encode: (entry: HistoryEntry) => Buffer,
  encodeJoins: (frame: JoinsFrame) => Buffer,
): Buffer {
  if (batch.length === 1) return encode(batch[0]!);
  const parts: Buffer[] = [];
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
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
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
