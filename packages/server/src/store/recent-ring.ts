import type { HistoryEntry } from './room-log.js';

/**
 * The newest events by seq, in a fixed ring: the whole history of a {@link MemoryLog}, and
 * the cache in front of a {@link SqliteLog}, so that a join's replay and a short reconnect's
 * `since` are memory reads (sharing each entry's cached encodings) rather than row reads.
 */
export class RecentRing {
  readonly #ring: (HistoryEntry | undefined)[];
  readonly #size: number;
  /** Highest seq put (the ring holds seqs above `#top - #size`). */
  #top: number;
  /** Seqs below this were never put here, or are gone (retention). */
  #floor: number;

  /** `first`: the seq of the first entry it will be given (older ones are elsewhere). */
  constructor(size: number, first = 1) {
    this.#size = Math.max(1, size);
    this.#ring = new Array<HistoryEntry | undefined>(this.#size);
    this.#top = first - 1;
    this.#floor = first;
  }

  /** Puts the next event (seqs come in increasing order). */
  put(entry: HistoryEntry): void {
    const seq = entry.event.seq;
    this.#ring[seq % this.#size] = entry;
    this.#top = seq;
  }

  /** The oldest seq the ring can answer for (above `#top` when it holds nothing). */
  get oldest(): number {
    return Math.max(this.#floor, this.#top - this.#size + 1);
  }

  /** Forgets everything below `seq` (what retention removed). */
  dropBelow(seq: number): void {
    this.#floor = Math.max(this.#floor, seq);
  }

  get(seq: number): HistoryEntry | undefined {
    if (seq < this.oldest || seq > this.#top) return undefined;
    const entry = this.#ring[seq % this.#size];
    return entry?.event.seq === seq ? entry : undefined;
  }

  /** Entries with `after < seq < before` that the ring holds, newest first. */
  *scanBack(before: number, after: number): Generator<HistoryEntry> {
    const oldest = Math.max(this.oldest, after + 1);
    for (let seq = Math.min(before - 1, this.#top); seq >= oldest; seq--) {
      const entry = this.#ring[seq % this.#size];
      if (entry?.event.seq === seq) yield entry;
    }
  }
}
