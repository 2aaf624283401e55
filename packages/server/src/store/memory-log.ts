import { randomBytes } from 'node:crypto';
import { DedupeWindow } from './dedupe-window.js';
import { NameClaims } from './name-claims.js';
import { RecentRing } from './recent-ring.js';
import type {
  AppendResult,
  DedupeKey,
  EventDraft,
  HistoryEntry,
  IdentityRecord,
  RoomLog,
} from './room-log.js';
import { stamp } from './room-log.js';

export interface MemoryLogOptions {
  /** Events kept (a ring: the oldest is overwritten). */
  readonly historySize: number;
  /**
   * Released identities remembered for token reuse: beyond this many the oldest are
   * forgotten, but none released less than `releasedKeepMs` ago (default 10 minutes), so a
   * client that comes back within that keeps its dedupe window.
   */
  readonly maxIdentities?: number;
  readonly releasedKeepMs?: number;
  readonly now?: () => number;
}

interface StoredIdentity {
  readonly record: IdentityRecord;
  window: DedupeWindow | undefined;
  /** When its member left (ms), while released. */
  releasedAt: number;
}

/** The room log in this process's memory: a new epoch on every start, nothing to commit. */
export class MemoryLog implements RoomLog {
  readonly epoch = newEpoch();
  readonly #ring: RecentRing;
  readonly #maxIdentities: number;
  readonly #releasedKeepMs: number;
  readonly #now: () => number;
  readonly #names = new NameClaims();
  readonly #byToken = new Map<string, StoredIdentity>();
  readonly #byId = new Map<number, StoredIdentity>();
  /** Released identities, oldest first (Map insertion order). */
  readonly #released = new Map<number, StoredIdentity>();
  #seq = 0;
  #nextIdentity = 1;

  constructor(options: MemoryLogOptions) {
    this.#ring = new RecentRing(options.historySize);
    this.#maxIdentities = options.maxIdentities ?? 1_000;
    this.#releasedKeepMs = options.releasedKeepMs ?? 10 * 60_000;
    this.#now = options.now ?? Date.now;
  }

  head(): number {
    return this.#seq;
  }

  append(draft: EventDraft, ends?: readonly [number, number], dedupe?: DedupeKey): AppendResult {
    if (dedupe) {
      const seen = this.duplicateOf(dedupe);
      if (seen !== undefined) return { kind: 'duplicate', seq: seen };
    }
    const event = stamp(draft, ++this.#seq, this.#now());
    const entry: HistoryEntry = ends ? { event, ends } : { event };
    this.#ring.put(entry);
    if (dedupe) this.#windowOf(dedupe.identity)?.add(dedupe.id, event.seq);
    return { kind: 'appended', entry };
  }

  duplicateOf(key: DedupeKey): number | undefined {
    return this.#byId.get(key.identity)?.window?.get(key.id);
  }

  scanBack(before: number, after: number): Iterable<HistoryEntry> {
    return this.#ring.scanBack(before, after);
  }

  get(seq: number): HistoryEntry | undefined {
    return this.#ring.get(seq);
  }

  createIdentity(token: string): IdentityRecord {
    const stored: StoredIdentity = {
      record: { id: this.#nextIdentity++, token },
      window: undefined,
      releasedAt: 0,
    };
    this.#byToken.set(token, stored);
    this.#byId.set(stored.record.id, stored);
    return stored.record;
  }

  findIdentity(token: string): IdentityRecord | undefined {
    const stored = this.#byToken.get(token);
    if (stored) this.#released.delete(stored.record.id);
    return stored?.record;
  }

  released(identity: number): void {
    const stored = this.#byId.get(identity);
    if (!stored) return;
    stored.releasedAt = this.#now();
    this.#released.delete(identity);
    this.#released.set(identity, stored);
    const keepAfter = stored.releasedAt - this.#releasedKeepMs;
    for (const oldest of this.#released.values()) {
      if (this.#released.size <= this.#maxIdentities || oldest.releasedAt > keepAfter) break;
      this.#released.delete(oldest.record.id);
      this.#byId.delete(oldest.record.id);
      this.#byToken.delete(oldest.record.token);
    }
  }

  claimName(key: string, identity: number): number {
    return this.#names.claim(key, identity);
  }

  releaseName(key: string, identity: number): void {
    this.#names.release(key, identity);
  }

  commit(): void {}

  close(): void {}

  #windowOf(identity: number): DedupeWindow | undefined {
    const stored = this.#byId.get(identity);
    if (stored) stored.window ??= new DedupeWindow();
    return stored?.window;
  }
}

/** A log's identity: random, short, printable. */
export function newEpoch(): string {
  return randomBytes(9).toString('base64url');
}
