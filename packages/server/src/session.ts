import type { Socket } from 'node:net';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { ClientFrame, ErrorCode, HelloFrame, LeaveReason, ServerFrame } from '@ciao/protocol';
import {
  FATAL_ERROR_CODES,
  LIMITS,
  PROTOCOL_VERSION,
  encodeFrame,
  renderPlain,
} from '@ciao/protocol';
import type { HistoryEntry, Member } from './room.js';
import type { Hub } from './hub.js';
import { TokenBucket } from './token-bucket.js';
import { JsonInput } from './json-session.js';
import { PlainInput } from './plain-session.js';

export type SessionMode = 'unknown' | 'json' | 'plain';

/** Plain sessions joining without `since` see this many recent events, to get some context. */
export const PLAIN_REPLAY_EVENTS = 20;

/**
 * One connection: adapts a socket to the room. Input is decoded by a {@link JsonInput} or a
 * {@link PlainInput} (chosen by the first byte) into client frames handled here; output goes
 * to a per-connection pending list that the hub flushes once per event-loop turn, merged with
 * the broadcasts of that turn (encoded once for everyone).
 */
export class Session {
  readonly id: number;
  readonly socket: Socket;
  readonly hub: Hub;
  mode: SessionMode = 'unknown';
  member: Member<Session> | undefined;
  input: JsonInput | PlainInput | undefined;
  bucket: TokenBucket | undefined;
  readonly connectedAt: number;
  lastRecv: number;
  pinged = false;
  /** Set once the session is on its way out: nothing more is read or queued. */
  closing = false;
  /** Why the member left, if it did (for the log and the `leave` reason on close). */
  leaveReason: LeaveReason | undefined;
  promptTimer: NodeJS.Timeout | undefined;

  // Output state, driven by the hub. Private items are queued with the position the shared
  // broadcast batch had when they were queued, so both interleave in creation order.
  priv: Buffer[] | undefined;
  privAt: number[] | undefined;
  privBytes = 0;
  /** Batch position this session's share of the broadcasts starts at (joined mid-turn). */
  batchStart = 0;
  /** Batch position its share ends at, once it stopped being a member mid-turn; -1 otherwise. */
  batchEnd = -1;
  /** In the hub's list of sessions to flush. */
  dirty = false;
  /** End the socket once the pending output is written. */
  endAfterFlush = false;
  slow = false;

  constructor(id: number, socket: Socket, hub: Hub, now: number) {
    this.id = id;
    this.socket = socket;
    this.hub = hub;
    this.connectedAt = now;
    this.lastRecv = now;
  }

  /** Bytes received: picks the session kind on the first non-white-space byte. */
  receive(chunk: Buffer): void {
    if (this.closing) return;
    this.lastRecv = this.hub.now();
    this.pinged = false;
    if (this.input === undefined) {
      let i = 0;
      while (i < chunk.length && isSpace(chunk[i]!)) i++;
      if (i === chunk.length) return;
      if (this.promptTimer) {
        clearTimeout(this.promptTimer);
        this.promptTimer = undefined;
      }
      if (chunk[i] === 0x7b /* { */) {
        this.mode = 'json';
        this.input = new JsonInput(this);
      } else {
        this.mode = 'plain';
        this.input = new PlainInput(this);
      }
      if (i > 0) chunk = chunk.subarray(i);
    }
    this.input.push(chunk);
  }

  // ------------------------------------------------------------------ frames from the client

  /** Handles one valid client frame (from JSON, or built from a plain-text line). */
  handle(frame: ClientFrame): void {
    if (this.closing) return;
    const member = this.member;
    if (frame.type === 'ping') {
      this.send(
        frame.nonce === undefined ? { type: 'pong' } : { type: 'pong', nonce: frame.nonce },
      );
      return;
    }
    if (frame.type === 'hello') {
      if (member) this.error('already_registered', `you are already registered as ${member.name}`);
      else this.hello(frame);
      return;
    }
    if (!member) {
      const id = frame.type === 'say' || frame.type === 'dm' ? frame.id : undefined;
      this.error('not_registered', 'send hello first', id);
      return;
    }
    const room = this.hub.room;
    // What a member says or does comes after its join (PROTOCOL.md, Presence); `bye` leaves.
    if (frame.type === 'say' || frame.type === 'dm' || frame.type === 'nick')
      this.hub.beforeAct(member);
    switch (frame.type) {
      case 'say':
      case 'dm': {
        const dup = room.duplicateOf(member, frame.id);
        if (dup) {
          // Resent after a reconnect: answer with the original event, create nothing.
          this.sendEntry(dup, false);
          return;
        }
        if (!this.bucket!.take(this.hub.now())) {
          this.error('rate_limited', 'rate limited: slow down', frame.id);
          return;
        }
        const result =
          frame.type === 'say'
            ? room.say(member, frame.text, frame.id, frame.action)
            : room.dm(member, frame.to, frame.text, frame.id);
        if (!result.ok) this.error(result.code, result.message, frame.id);
        return;
      }
      case 'nick': {
        const from = member.name;
        const result = room.nick(member, frame.name);
        if (!result.ok) this.error(result.code, result.message);
        else if (result.entry) this.hub.log.info('nick', { conn: this.id, from, to: frame.name });
        return;
      }
      case 'who': {
        const offset = frame.offset ?? 0;
        const list = room.list;
        if (this.mode === 'plain')
          this.send({ type: 'users', names: list.page(offset), offset, total: list.size });
        else this.queue(list.usersJson(offset));
        return;
      }
      case 'history': {
        const limit = frame.limit ?? LIMITS.historyDefaultLimit;
        this.sendBatch(room.history(member, frame.before, limit, 0, this.replayBudget()));
        return;
      }
      case 'pong':
        return;
      case 'bye':
        this.leave('quit');
        this.closing = true;
        this.endAfterFlush = true;
        this.hub.markDirty(this);
        return;
      default: {
        const never: never = frame;
        return never;
      }
    }
  }

  private hello(frame: HelloFrame): void {
    const hub = this.hub;
    const config = hub.config;
    if (frame.protocol !== PROTOCOL_VERSION) {
      this.error(
        'protocol_unsupported',
        `this server speaks protocol ${PROTOCOL_VERSION}, not ${frame.protocol}`,
      );
      return;
    }
    if (config.password !== undefined && !samePassword(frame.password, config.password)) {
      this.error('auth_failed', 'wrong password');
      return;
    }
    const room = hub.room;
    // A reclaim keeps the member count; only a new name needs a free place.
    const reclaim =
      frame.token !== undefined && room.find(frame.name)?.identity.token === frame.token;
    if (!reclaim && room.size >= config.maxClients) {
      this.error('server_full', `the server is full (${config.maxClients} users)`);
      return;
    }
    const result = room.register(frame.name, this, frame.token);
    if (!result.ok) {
      this.error(result.code, result.message);
      return;
    }
    const member = result.member;
    this.member = member;
    this.bucket = new TokenBucket(config.ratePerSec, config.rateBurst, hub.now());
    this.batchStart = hub.batchPosition();
    if (result.replaced) result.replaced.replacedBy(this);
    const welcome = {
      type: 'welcome',
      protocol: PROTOCOL_VERSION,
      server: hub.serverName,
      name: member.name,
      token: member.identity.token,
      seq: room.seq,
      epoch: room.epoch,
      limits: {
        maxText: LIMITS.maxTextChars,
        maxFrame: LIMITS.maxClientFrameBytes,
        ratePerSec: config.ratePerSec,
        rateBurst: config.rateBurst,
      },
      ...(config.motd !== undefined ? { motd: config.motd } : {}),
    } as const;
    if (this.mode === 'plain')
      this.send({ ...welcome, users: room.list.page(0), userCount: room.size });
    else this.queue(room.list.welcomeJson(welcome));
    // A `since` counted in another epoch (wiped data, a memory-only restart) means nothing
    // here: that client gets the fresh replay a new client gets, and sees the new epoch.
    if (frame.since !== undefined && (frame.epoch === undefined || frame.epoch === room.epoch)) {
      this.sendBatch(room.history(member, Infinity, Infinity, frame.since, this.replayBudget()));
    } else {
      const recent = this.mode === 'plain' ? PLAIN_REPLAY_EVENTS : LIMITS.historyDefaultLimit;
      this.sendBatch(room.history(member, Infinity, recent, 0, this.replayBudget()));
    }
    hub.log.info(result.replaced ? 'reclaim' : 'register', {
      conn: this.id,
      name: member.name,
      mode: this.mode,
      users: room.size,
    });
    if (!result.replaced) hub.announceJoin(member);
  }

  /** Replays events and ends with `history_end`. */
  private sendBatch(batch: { entries: readonly HistoryEntry[]; more: boolean }): void {
    for (const entry of batch.entries) this.sendEntry(entry, true);
    const first = batch.entries[0];
    this.send(
      first
        ? { type: 'history_end', more: batch.more, before: first.event.seq }
        : { type: 'history_end', more: batch.more },
    );
  }

  /** A replay never takes more than half the output allowance, so it cannot trip the limit. */
  private replayBudget(): { maxBytes: number; sizeOf: (e: HistoryEntry) => number } {
    return {
      maxBytes: this.hub.config.maxOutputBytes / 2,
      sizeOf: (e) => this.hub.encodeJson(e).length,
    };
  }

  /** Called on the stale session whose name a new connection reclaimed with its token. */
  replacedBy(next: Session): void {
    this.member = undefined;
    this.batchEnd = this.hub.batchPosition();
    this.hub.log.info('replaced', { conn: this.id, by: next.id });
    this.error('replaced', 'your name was reclaimed by a new connection with your token');
  }

  /** Removes the member from the room with a `leave` to the others. */
  leave(reason: LeaveReason): void {
    const member = this.member;
    if (!member) return;
    this.hub.beforeAct(member);
    this.member = undefined;
    this.leaveReason = reason;
    this.batchEnd = this.hub.batchPosition();
    this.hub.markDirty(this);
    this.hub.room.leave(member, reason);
    this.hub.log.info('leave', {
      conn: this.id,
      name: member.name,
      reason,
      users: this.hub.room.size,
    });
  }

  // ------------------------------------------------------------------ output

  /** Queues an error; a fatal one ends the session. */
  error(code: ErrorCode, message: string, id?: string): void {
    const fatal = FATAL_ERROR_CODES.has(code);
    const frame: ServerFrame = {
      type: 'error',
      code,
      message,
      ...(id !== undefined ? { id } : {}),
      ...(fatal ? { fatal: true as const } : {}),
    };
    this.send(frame);
    const log = this.hub.log;
    if (fatal) {
      log.info('fatal error', { conn: this.id, code, message });
      this.fail();
    } else if (log.enabled('debug')) {
      log.debug('error', { conn: this.id, code, message });
    }
  }

  /** Ends the session after a fatal error, once what is queued is written. */
  fail(): void {
    if (this.closing) return;
    this.leave('error');
    this.closing = true;
    this.endAfterFlush = true;
    this.hub.markDirty(this);
  }

  /** Queues one frame for this connection only. */
  send(frame: ServerFrame): void {
    if (this.mode === 'plain') {
      const lines = renderPlain(frame);
      if (lines.length > 0) this.queue(Buffer.from(lines.join('\n') + '\n', 'utf8'));
    } else {
      this.queue(encodeFrame(frame));
    }
  }

  /** Queues a text line as is (plain-text prompts). */
  sendLine(line: string): void {
    this.queue(Buffer.from(line + '\n', 'utf8'));
  }

  /** Queues a room event for this connection only (a `dm`, a replay, a duplicate's answer). */
  sendEntry(entry: HistoryEntry, replay: boolean): void {
    const hub = this.hub;
    this.queue(
      this.mode === 'plain'
        ? hub.encodePlain(entry)
        : replay
          ? hub.encodeReplay(entry)
          : hub.encodeJson(entry),
    );
  }

  private queue(buf: Buffer): void {
    if (this.slow || this.socket.destroyed) return;
    (this.priv ??= []).push(buf);
    (this.privAt ??= []).push(this.hub.batchPosition());
    this.privBytes += buf.length;
    if (this.privBytes + this.socket.writableLength > this.hub.config.maxOutputBytes) {
      this.hub.slowConsumer(this);
      return;
    }
    this.hub.markDirty(this);
  }

  /**
   * Writes this turn's output: the shared batch `[from, to)` (whose whole encoding is
   * `shared` when it is the full batch) merged with the private items. Returns false when
   * the connection is over its output limit (the caller drops it as a slow consumer).
   */
  flush(batch: readonly HistoryEntry[], shared: Buffer | undefined, to: number): boolean {
    const socket = this.socket;
    if (this.slow || socket.writableEnded || socket.destroyed) {
      this.priv = undefined;
      this.privAt = undefined;
      this.privBytes = 0;
      return true;
    }
    const from = this.batchStart;
    let data: Buffer | undefined;
    if (this.priv === undefined) {
      if (from === 0 && to === batch.length && shared) data = shared;
      else if (to > from) data = this.concat(batch, from, to, undefined);
    } else data = this.concat(batch, from, to, this.priv);
    this.priv = undefined;
    this.privAt = undefined;
    this.privBytes = 0;
    this.batchStart = 0;
    this.batchEnd = -1;
    if (data !== undefined && data.length > 0 && !socket.destroyed) {
      if (socket.writableLength + data.length > this.hub.config.maxOutputBytes) return false;
      socket.write(data);
    }
    if (this.endAfterFlush && !socket.destroyed) {
      socket.end();
      this.hub.destroyLater(this);
    }
    return true;
  }

  private concat(
    batch: readonly HistoryEntry[],
    from: number,
    to: number,
    priv: Buffer[] | undefined,
  ): Buffer {
    const hub = this.hub;
    const plain = this.mode === 'plain';
    const parts: Buffer[] = [];
    let pos = from;
    if (priv) {
      const at = this.privAt!;
      for (let i = 0; i < priv.length; i++) {
        const stop = Math.min(at[i]!, to);
        for (; pos < stop; pos++)
          parts.push(plain ? hub.encodePlain(batch[pos]!) : hub.encodeJson(batch[pos]!));
        parts.push(priv[i]!);
      }
    }
    for (; pos < to; pos++)
      parts.push(plain ? hub.encodePlain(batch[pos]!) : hub.encodeJson(batch[pos]!));
    return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
  }
}

function isSpace(byte: number): boolean {
  return byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;
}

function samePassword(given: string | undefined, expected: string): boolean {
  if (given === undefined) return false;
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}
