import type { ChatEvent } from '@ciao/protocol';

/**
 * The room's shared state behind one interface: the event log (seq assignment, history),
 * token identities, each identity's `id` dedupe window, and who holds which name.
 * Implementations: {@link MemoryLog} (tests, `--no-persist`) and {@link SqliteLog} (the
 * default). The room never numbers an event itself: the log does, at append. A room shared by
 * several servers is not a third log behind this synchronous interface: Redis answers after a
 * round trip and its events come back through a stream, so it sits one level up, as another
 * implementation of the room (`RoomPort`: `shared-room.ts` over `redis-store.ts`), with the
 * same rules (the log numbers, the dedupe check and the append are one step, one holder per
 * name) kept in Lua.
 *
 * Appends of one event-loop turn belong to one unit of durability: {@link RoomLog.commit}
 * makes them durable, and the hub calls it before writing that turn's output, so nothing a
 * client saw acknowledged can be lost by a crash; only the turn in progress can.
 */

/** An event as the room makes it, before the log gives it its `seq` and `ts`. */
export type EventDraft = ChatEvent extends infer E
  ? E extends ChatEvent
    ? Omit<E, 'seq' | 'ts'>
    : never
  : never;

/** An event with what delivery needs: who may see it, and encodings cached by the transport. */
export interface HistoryEntry {
  readonly event: ChatEvent;
  /** For a `dm`: the identity ids of its two ends, the only ones that may see it. */
  readonly ends?: readonly [number, number];
  /**
   * The event's JSON line (newline included), its replay form and its plain-text lines, each
   * made once. Strings, not Buffers: an entry lives as long as the history ring holds it, so
   * its encodings outlive garbage collections, and a Buffer is memory allocated outside the JS
   * heap (glibc's malloc) that is freed only by the full GC after the entry is dropped. A
   * flood leaves tens of MB of such dead Buffers among the live ones, and glibc never hands
   * back free memory below its heap's top: the RSS stayed up for good (issue 8). Strings live
   * in the JS heap, whose pages V8 returns; bytes are made from them just before a write.
   */
  json?: string;
  replayJson?: string;
  plain?: string;
}

/** What an `id` is checked against: the sender's identity and the client's frame id. */
export interface DedupeKey {
  readonly identity: number;
  readonly id: string;
}

export type AppendResult =
  | { readonly kind: 'appended'; readonly entry: HistoryEntry }
  /** The `id` is in the sender's window: nothing was appended; `seq` is the original's. */
  | { readonly kind: 'duplicate'; readonly seq: number };

/** A token's identity: what reclaims a name and keeps a dedupe window across connections. */
export interface IdentityRecord {
  readonly id: number;
  readonly token: string;
}

export interface RoomLog {
  /** This log's identity (`welcome.epoch`): the same across restarts on the same data. */
  readonly epoch: string;
  /** Latest seq appended (0 before the first event ever). */
  head(): number;
  /**
   * Numbers the event (next seq, the log's clock) and appends it. With `dedupe`, the check
   * against the sender's window and the append are one atomic step, and the id enters the
   * window (`id -> seq` only).
   */
  append(draft: EventDraft, ends?: readonly [number, number], dedupe?: DedupeKey): AppendResult;
  /** The seq an earlier append with this key created, if still in the window. */
  duplicateOf(key: DedupeKey): number | undefined;
  /** Events with `after < seq < before`, newest first; stop iterating to stop reading. */
  scanBack(before: number, after: number): Iterable<HistoryEntry>;
  /** One event by seq, if retained. */
  get(seq: number): HistoryEntry | undefined;
  /** A new identity with this token. */
  createIdentity(token: string): IdentityRecord;
  /** The identity a token names, if the log still remembers it. */
  findIdentity(token: string): IdentityRecord | undefined;
  /** The identity's member left: from now its record may be forgotten (oldest first). */
  released(identity: number): void;
  /**
   * Claims a name (its {@link nameKey}) for an identity, atomically: returns the identity
   * holding it afterwards, `identity` itself when the claim succeeded. One holder per name
   * among everyone who shares the log. Presence is not durable: after a restart nobody holds
   * a name until they come back.
   */
  claimName(key: string, identity: number): number;
  /** Gives a name back (a leave, the old name after a nick); only its holder can. */
  releaseName(key: string, identity: number): void;
  /** Makes this turn's appends durable (one transaction). */
  commit(): void;
  /** Commits and releases the storage. */
  close(): void;
}

/** How much history a log keeps: at least one of them. */
export interface Retention {
  /** Events at most (the newest). */
  readonly count?: number;
  /** Events younger than this many ms. */
  readonly ageMs?: number;
}

/**
 * The event with its seq and time, fields in wire order (`type`, `seq`, `ts`, then the rest):
 * clients that read `seq` straight from the bytes, like the bench's generator, rely on it.
 */
export function stamp(draft: EventDraft, seq: number, ts: number): ChatEvent {
  const { type, ...rest } = draft;
  return { type, seq, ts, ...rest } as ChatEvent;
}
