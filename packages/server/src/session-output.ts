import type { Socket } from 'node:net';
import type { HistoryEntry } from './room.js';

/** Replays are written in pieces of about this size, each once the socket has taken the last. */
const REPLAY_CHUNK_BYTES = 64 * 1024;
/**
 * Checks over the grace (one each quarter of it): all of them must see no progress. Counted in
 * checks, not in time, so a server stalled by its own work (each check follows a poll phase)
 * does not take its stall for the peer's.
 */
const STUCK_CHECKS = 4;
/** Live output above this many times the limit is too much, reading or not. */
const HARD_LIMIT_FACTOR = 4;

/**
 * Output waiting to be written: text (an encoded frame or entry, a string in the JS heap) or
 * bytes (a Buffer shared with other connections). Text becomes bytes only when it is written,
 * so what waits across garbage collections costs no memory outside the JS heap (see
 * `HistoryEntry.json`).
 */
export type Chunk = string | Buffer;

/** A replay in progress: its events (a snapshot), the next to send, and what ends it. */
interface Replay {
  readonly entries: readonly HistoryEntry[];
  next: number;
  readonly end: Chunk;
}

type Item = Chunk | Replay;

/** The slow-consumer limits: the server's config, one object shared by every connection. */
export interface OutputLimits {
  /** Live output the kernel has not taken above which the grace starts. */
  readonly maxOutputBytes: number;
  /** How long live output may stay above the limit before the connection is a slow consumer. */
  readonly slowConsumerGraceMs: number;
}

/**
 * The connection this output belongs to. Methods, not callbacks: closures made per connection
 * cost hundreds of bytes each on an idle connection (issue 13's memory goal).
 */
export interface OutputOwner {
  /** Encodes one history entry for this connection (JSON or plain text, live or replayed). */
  encodeEntry(entry: HistoryEntry, replay: boolean): string;
  /** The hub should flush this connection this turn. */
  outputWanted(): void;
  /** Live output stayed above the limit for the whole grace. */
  outputSlow(): void;
}

/** Shared by every idle connection until it has something to queue (replaced, never mutated). */
const NONE: never[] = [];

/**
 * One connection's output. Each turn the hub hands it the shared broadcast batch; it writes
 * its share (from where it joined to where it left), merged in creation order with the frames
 * queued for it alone. Replays (`since`, `history`) are streamed: a piece is written only when
 * the socket has taken the previous one, and what comes after a replay waits behind it.
 *
 * The slow-consumer rule (PROTOCOL.md): live output the kernel has not taken is measured after
 * writing, replay bytes excluded; a connection is slow only when it stays above the limit for
 * the grace, so a burst that a reading client drains is never a reason.
 */
export class SessionOutput {
  readonly #socket: Socket;
  readonly #owner: OutputOwner;
  readonly #limits: OutputLimits;
  /**
   * Frames for this connection alone, each with the batch position it was queued at. `NONE`
   * (shared) while empty: an idle connection owns no arrays.
   */
  #private: Item[] = NONE;
  #privateAt: number[] = NONE;
  /** Batch positions this connection's share starts at (joined mid-turn) and ends at (left). */
  #batchStart = 0;
  #batchEnd = -1;
  #flushWanted = false;
  #lastTurn = -1;
  /** Output waiting behind a replay, in order; `#queuedBytes` counts its live bytes. */
  #queue: Item[] = NONE;
  #queuedBytes = 0;
  /** Replay bytes handed to the socket that it may still hold (not live output). */
  #replayBytes = 0;
  #slowTimer: NodeJS.Timeout | undefined;
  /** Bytes handed to the socket in all. */
  #written = 0;
  /** Writes completed and libuv's queue at the last check; checks since anything moved. */
  #lastDone = 0;
  #lastQueued = 0;
  #stuckChecks = 0;
  #hard = false;
  #closing = false;
  #closed = false;

  constructor(socket: Socket, owner: OutputOwner, limits: OutputLimits) {
    this.#socket = socket;
    this.#owner = owner;
    this.#limits = limits;
  }

  /** Starts this connection's share of the batch at `position` (it joined mid-turn). */
  startAt(position: number): void {
    this.#batchStart = position;
  }

  /** Ends its share at `position` (it stopped being a member mid-turn). */
  stopAt(position: number): void {
    this.#batchEnd = position;
    this.#wantFlush();
  }

  /** Queues a frame for this connection only, after the broadcasts queued before it. */
  push(data: Chunk, position: number): void {
    if (this.#closed) return;
    this.#privateItem(data, position);
    this.#wantFlush();
  }

  /** Queues a replay of `entries` (streamed), then `end` (its `history_end`). */
  pushReplay(entries: readonly HistoryEntry[], end: Chunk, position: number): void {
    if (this.#closed) return;
    this.#privateItem({ entries, next: 0, end }, position);
    this.#wantFlush();
  }

  #privateItem(item: Item, position: number): void {
    if (this.#private === NONE) {
      this.#private = [];
      this.#privateAt = [];
    }
    this.#private.push(item);
    this.#privateAt.push(position);
  }

  /** Live bytes accepted for this connection that the kernel has not taken. */
  get pendingBytes(): number {
    const unsent = this.#socket.writableLength;
    this.#replayBytes = Math.min(this.#replayBytes, unsent);
    return unsent - this.#replayBytes + this.#queuedBytes;
  }

  /**
   * Writes this turn's output: the batch `[start, to)` (`shared` is the whole batch's encoding)
   * merged with the private frames. `member` says whether the share runs to the batch's end.
   */
  flush(
    turn: number,
    batch: readonly HistoryEntry[],
    shared: Buffer | undefined,
    member: boolean,
  ): void {
    if (turn === this.#lastTurn) return;
    this.#lastTurn = turn;
    this.#flushWanted = false;
    const from = this.#batchStart;
    const to = member ? batch.length : this.#batchEnd >= 0 ? this.#batchEnd : from;
    this.#batchStart = 0;
    this.#batchEnd = -1;
    if (this.#closed || this.#socket.destroyed) {
      this.#private = NONE;
      this.#privateAt = NONE;
      return;
    }
    if (this.#private.length === 0 && this.#queue.length === 0) {
      // The common case: one write of the shared Buffer, no copy.
      if (from === 0 && to === batch.length && shared) this.#write(shared);
      else if (to > from) {
        const parts: Chunk[] = [];
        this.#share(batch, from, to, parts);
        this.#write(toBytes(parts));
      }
    } else {
      this.#enqueue(this.#merge(batch, from, to));
      this.#pump();
    }
    if (this.#closing) this.#finish();
    else this.#measure();
  }

  /** The socket took everything: the next replay piece may go. */
  drained(): void {
    this.#replayBytes = 0;
    if (this.#closed) return;
    this.#pump();
    this.#measure();
  }

  /**
   * Ends the connection once this turn's output is written. Replays still streaming are
   * dropped: the connection is going away.
   */
  close(): void {
    this.#closing = true;
    this.#wantFlush();
  }

  /**
   * Ends the connection now with `last` after what the socket already holds; nothing else
   * queued is sent (a slow consumer: more would only grow its backlog).
   */
  abandon(last: Chunk): void {
    this.#private = NONE;
    this.#privateAt = NONE;
    this.#queue = NONE;
    this.#queuedBytes = 0;
    this.#closing = true;
    this.#closed = true;
    this.#stopTimer();
    if (!this.#socket.destroyed) this.#socket.end(last);
  }

  /** The socket is gone: stop everything. */
  dispose(): void {
    this.#closed = true;
    this.#private = NONE;
    this.#privateAt = NONE;
    this.#queue = NONE;
    this.#queuedBytes = 0;
    this.#stopTimer();
  }

  #finish(): void {
    this.#closed = true;
    this.#stopTimer();
    const rest = this.#queue.filter(isChunk);
    this.#queue = NONE;
    this.#queuedBytes = 0;
    if (this.#socket.destroyed) return;
    if (rest.length > 0) this.#socket.end(toBytes(rest));
    else this.#socket.end();
  }

  #wantFlush(): void {
    if (this.#flushWanted) return;
    this.#flushWanted = true;
    this.#owner.outputWanted();
  }

  /** The batch share and the private items in creation order. */
  #merge(batch: readonly HistoryEntry[], from: number, to: number): Item[] {
    const items: Item[] = [];
    let pos = from;
    const at = this.#privateAt;
    const priv = this.#private;
    for (let i = 0; i < priv.length; i++) {
      const stop = Math.min(at[i]!, to);
      if (stop > pos) this.#share(batch, pos, stop, items);
      pos = Math.max(pos, stop);
      items.push(priv[i]!);
    }
    if (to > pos) this.#share(batch, pos, to, items);
    this.#private = NONE;
    this.#privateAt = NONE;
    return items;
  }

  #share(batch: readonly HistoryEntry[], from: number, to: number, into: Item[]): void {
    for (let i = from; i < to; i++) into.push(this.#owner.encodeEntry(batch[i]!, false));
  }

  #enqueue(items: readonly Item[]): void {
    if (items.length > 0 && this.#queue === NONE) this.#queue = [];
    for (const item of items) {
      this.#queue.push(item);
      if (isChunk(item)) this.#queuedBytes += byteLength(item);
    }
  }

  /** Writes the queue up to the first replay that has to wait for the socket. */
  #pump(): void {
    const queue = this.#queue;
    let taken = 0;
    const run: Chunk[] = [];
    while (taken < queue.length) {
      const item = queue[taken]!;
      if (isChunk(item)) {
        run.push(item);
        this.#queuedBytes -= byteLength(item);
        taken++;
        continue;
      }
      if (run.length > 0) this.#write(toBytes(run.splice(0)));
      if (!this.#streamReplay(item)) break;
      taken++;
    }
    if (run.length > 0) this.#write(toBytes(run));
    // All written: back to the shared empty queue, so an idle connection keeps no array.
    if (taken === queue.length) this.#queue = NONE;
    else if (taken > 0) queue.splice(0, taken);
  }

  /** Writes pieces of a replay while the socket keeps up; true once it is all written. */
  #streamReplay(replay: Replay): boolean {
    const socket = this.#socket;
    while (replay.next < replay.entries.length) {
      if (socket.writableLength >= REPLAY_CHUNK_BYTES || socket.destroyed) return false;
      const parts: string[] = [];
      // Counted in UTF-16 units: the piece is about the size, at most 3 times over in bytes.
      let size = 0;
      while (replay.next < replay.entries.length && size < REPLAY_CHUNK_BYTES) {
        const data = this.#owner.encodeEntry(replay.entries[replay.next++]!, true);
        parts.push(data);
        size += data.length;
      }
      const piece = Buffer.from(parts.join(''), 'utf8');
      this.#replayBytes = Math.min(this.#replayBytes, socket.writableLength) + piece.length;
      this.#written += piece.length;
      socket.write(piece);
    }
    this.#write(toBytes([replay.end]));
    return true;
  }

  #write(data: Buffer): void {
    if (data.length === 0 || this.#socket.destroyed) return;
    this.#written += data.length;
    this.#socket.write(data);
  }

  /**
   * Whether the kernel took any of this socket's output since the last call. `writableLength`
   * counts a write until all of it is taken, so one large write to a reading peer would look
   * stuck: libuv's write queue size (on the handle) shows the parts taken meanwhile.
   */
  #progressed(): boolean {
    const done = this.#written - this.#socket.writableLength;
    const handle = (this.#socket as unknown as { _handle?: { writeQueueSize?: unknown } })._handle;
    const queued = typeof handle?.writeQueueSize === 'number' ? handle.writeQueueSize : 0;
    const moved = done > this.#lastDone || queued < this.#lastQueued;
    this.#lastDone = done;
    this.#lastQueued = queued;
    return moved;
  }

  #measure(): void {
    const pending = this.pendingBytes;
    const max = this.#limits.maxOutputBytes;
    if (pending <= max) this.#stopTimer();
    else if (pending > max * HARD_LIMIT_FACTOR) {
      // Not from inside the hub's flush: the leave it causes goes into the next batch.
      this.#stopTimer();
      this.#hard = true;
      this.#slowTimer = setTimeout(onSlowTimer, 0, this);
    } else if (!this.#slowTimer) {
      this.#progressed();
      this.#stuckChecks = 0;
      this.#slowTimer = setTimeout(
        onSlowTimer,
        this.#limits.slowConsumerGraceMs / STUCK_CHECKS,
        this,
      );
    }
  }

  /** A check is due: it runs after the next poll phase, so the socket had its chance to write. */
  slowCheckDue(): void {
    setImmediate(onSlowCheck, this);
  }

  /**
   * Above the limit and the kernel has taken nothing for the whole grace: the peer does not read,
   * it is slow. A peer that reads, however slowly its machine lets it, is not, up to the hard
   * limit.
   */
  checkSlow(): void {
    this.#slowTimer = undefined;
    if (this.#closed) return;
    if (this.#hard) {
      this.#owner.outputSlow();
      return;
    }
    if (this.pendingBytes <= this.#limits.maxOutputBytes) return;
    if (this.#progressed()) this.#stuckChecks = 0;
    else if (++this.#stuckChecks >= STUCK_CHECKS) {
      this.#owner.outputSlow();
      return;
    }
    this.#slowTimer = setTimeout(
      onSlowTimer,
      this.#limits.slowConsumerGraceMs / STUCK_CHECKS,
      this,
    );
  }

  #stopTimer(): void {
    if (this.#slowTimer) clearTimeout(this.#slowTimer);
    this.#slowTimer = undefined;
  }
}

function isChunk(item: Item): item is Chunk {
  return typeof item === 'string' || Buffer.isBuffer(item);
}

function byteLength(chunk: Chunk): number {
  return typeof chunk === 'string' ? Buffer.byteLength(chunk, 'utf8') : chunk.length;
}

/**
 * The bytes of `parts`, in order, in one Buffer made now, to be written at once (the socket
 * is its only holder). A single Buffer is written as it is (a shared one: no copy).
 */
function toBytes(parts: readonly Chunk[]): Buffer {
  if (parts.length === 1) {
    const only = parts[0]!;
    return typeof only === 'string' ? Buffer.from(only, 'utf8') : only;
  }
  if (parts.every((p) => typeof p === 'string')) return Buffer.from(parts.join(''), 'utf8');
  let bytes = 0;
  for (const part of parts) bytes += byteLength(part);
  const out = Buffer.allocUnsafe(bytes);
  let at = 0;
  for (const part of parts)
    at += typeof part === 'string' ? out.write(part, at, 'utf8') : part.copy(out, at);
  return out;
}

function onSlowTimer(output: SessionOutput): void {
  output.slowCheckDue();
}

function onSlowCheck(output: SessionOutput): void {
  output.checkSlow();
}
